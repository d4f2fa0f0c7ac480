using FunctionApp.TestHost.Issuer;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>The issuer is unreachable from the moment the worker starts.</summary>
public sealed class IssuerDownAtStartFixture : AppFixture
{
    protected override IssuerMode ModeAtStart => IssuerMode.Down;
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

public sealed class IssuerDownAfterFetchTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task Private_keeps_validating_with_cached_keys_when_the_issuer_goes_down()
    {
        await app.WarmUpAsync();

        app.Issuer.Mode = IssuerMode.Down;
        using var response = await app.GetPrivateWithTokenAsync(app.Issuer.CreateToken());

        Assert.Equal(200, (int)response.StatusCode);
    }
}
