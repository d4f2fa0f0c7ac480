using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>How many times the app goes back to the issuer, measured on workers of their own.</summary>
public sealed class KeyRefreshThrottleTests
{
    private const int Concurrency = 50;

    [Fact]
    public async Task Concurrent_first_requests_with_a_rotated_key_share_one_refresh()
    {
        await using var app = await AppFixture.StartAsync();
        await app.WarmUpAsync();
        var fetchesBefore = app.Issuer.JwksRequests;
        app.Issuer.RotateKey();

        var responses = await Task.WhenAll(
            Enumerable.Range(0, Concurrency).Select(_ => app.GetPrivateWithTokenAsync(app.Issuer.CreateToken())));

        Assert.All(responses, r => Assert.Equal(200, (int)r.StatusCode));
        Assert.Equal(fetchesBefore + 1, app.Issuer.JwksRequests);
    }

    [Fact]
    public async Task Random_kids_within_the_minimum_interval_cause_one_refresh()
    {
        await using var app = await AppFixture.StartAsync(settings => settings["Auth0__MinimumRefreshIntervalSeconds"] = "3600");
        await app.WarmUpAsync();
        var fetchesBefore = app.Issuer.JwksRequests;

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 20; i++)
        {
            var header = app.Issuer.NewHeader();
            header["kid"] = Guid.NewGuid().ToString();
            responses.Add(await app.GetPrivateWithTokenAsync(app.Issuer.Sign(header, app.Issuer.NewPayload())));
        }

        using var valid = await app.GetPrivateWithTokenAsync(app.Issuer.CreateToken());

        Assert.All(responses, r => Assert.Equal(400, (int)r.StatusCode));
        Assert.Equal(200, (int)valid.StatusCode);
        Assert.Equal(fetchesBefore + 1, app.Issuer.JwksRequests);
    }
}
