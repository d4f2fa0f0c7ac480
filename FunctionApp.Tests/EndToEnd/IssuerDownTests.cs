using FunctionApp.TestHost.Issuer;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>The issuer is unreachable from the moment the worker starts.</summary>
public sealed class IssuerDownAtStartFixture : AppFixture
{
    public IssuerDownAtStartFixture() => ModeAtStart = IssuerMode.Down;
}

public sealed class IssuerDownAtStartTests(IssuerDownAtStartFixture app) : IClassFixture<IssuerDownAtStartFixture>
{
    [Fact]
    public async Task Private_returns_503_with_Retry_After_when_keys_were_never_fetched()
    {
        using var response = await app.GetPrivateWithTokenAsync(app.Issuer.CreateToken());

        await ResponseAssert.JsonAsync(response, 503, """{"status":"error","msg":"Signing keys are unavailable; try again later"}""");
        Assert.Equal("5", response.Headers.RetryAfter?.ToString());
    }

    [Fact]
    public async Task Public_still_answers_when_the_issuer_is_down()
    {
        using var response = await app.Client.GetAsync("api/public");

        Assert.Equal(200, (int)response.StatusCode);
    }
}

public sealed class IssuerRecoveryTests
{
    [Fact]
    public async Task Private_recovers_without_a_restart_when_the_issuer_comes_back()
    {
        await using var app = await AppFixture.StartAsync(settings => settings["Auth0__MinimumRefreshIntervalSeconds"] = "1", IssuerMode.Down);
        using (var down = await app.GetPrivateWithTokenAsync(app.Issuer.CreateToken()))
        {
            Assert.Equal(503, (int)down.StatusCode);
        }

        app.Issuer.Mode = IssuerMode.Up;

        // The app retries on its own schedule (at most the minimum refresh interval, 1 s here); wait for it, bounded.
        var status = 0;
        for (var attempt = 0; attempt < 100 && status != 200; attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100));
            using var response = await app.GetPrivateWithTokenAsync(app.Issuer.CreateToken());
            status = (int)response.StatusCode;
            Assert.True(status is 200 or 503, $"unexpected {status}");
        }

        Assert.Equal(200, status);
    }
}

public sealed class IssuerDownAfterFetchTests
{
    [Fact]
    public async Task Private_keeps_validating_with_cached_keys_when_the_issuer_goes_down()
    {
        await using var app = await AppFixture.StartAsync();
        await app.WarmUpAsync();

        app.Issuer.Mode = IssuerMode.Down;
        using var response = await app.GetPrivateWithTokenAsync(app.Issuer.CreateToken());

        Assert.Equal(200, (int)response.StatusCode);
    }
}
