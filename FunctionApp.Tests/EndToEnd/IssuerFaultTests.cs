using FunctionApp.TestHost.Issuer;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>A broken answer from the issuer never replaces keys that work. Each test gets its own worker.</summary>
public sealed class IssuerFaultTests
{
    [Theory]
    [InlineData(IssuerMode.NoKeys)]
    [InlineData(IssuerMode.Html)]
    [InlineData(IssuerMode.Down)]
    public async Task Private_keeps_the_last_good_keys_when_a_refresh_gets_a_bad_answer(IssuerMode fault)
    {
        await using var app = await AppFixture.StartAsync();
        await app.WarmUpAsync();
        var fetchesBefore = app.Issuer.MetadataRequests;

        app.Issuer.Mode = fault;
        var header = app.Issuer.NewHeader();
        header["kid"] = "not-published";
        using var unknown = await app.GetPrivateWithTokenAsync(app.Issuer.Sign(header, app.Issuer.NewPayload()));
        using var known = await app.GetPrivateWithTokenAsync(app.Issuer.CreateToken());

        await ResponseAssert.InvalidTokenAsync(unknown, "No signing key matches the token");
        Assert.Equal(200, (int)known.StatusCode);
        // One refresh; IdentityModel's document retriever retries a 503 once by itself.
        Assert.Equal(fault == IssuerMode.Down ? 2 : 1, app.Issuer.MetadataRequests - fetchesBefore);
    }
}
