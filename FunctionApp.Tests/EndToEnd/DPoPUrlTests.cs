using FunctionApp.Tests.Support;
using FunctionApp.TestHost.Issuer;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>The worker started with <c>Auth0__DPoPPublicBaseUrl</c>: the app's public address, as behind a gateway.</summary>
public sealed class DPoPPublicBaseUrlFixture : AppFixture
{
    public DPoPPublicBaseUrlFixture() => Configure = settings => settings["Auth0__DPoPPublicBaseUrl"] = "https://api.example.com, https://gateway.example.com/orders";
}

/// <summary>The worker started with <c>Auth0__DPoPTrustForwardedHeaders=true</c>.</summary>
public sealed class DPoPForwardedHeadersFixture : AppFixture
{
    public DPoPForwardedHeadersFixture() => Configure = settings => settings["Auth0__DPoPTrustForwardedHeaders"] = "true";
}

/// <summary>A proof's htu compared against the public base URLs, in place of the URL the host reports.</summary>
public sealed class DPoPPublicBaseUrlTests(DPoPPublicBaseUrlFixture app) : IClassFixture<DPoPPublicBaseUrlFixture>, IDisposable
{
    private readonly DPoPKey _key = DPoPKey.CreateEs256();

    public void Dispose() => _key.Dispose();

    [Theory]
    [InlineData("https://api.example.com/api/private")]
    [InlineData("https://API.example.com:443/api/private")]
    [InlineData("https://gateway.example.com/orders/api/private")]
    public async Task A_proof_for_a_public_URL_is_accepted(string htu)
    {
        var token = app.Issuer.CreateBoundToken(_key);

        using var response = await app.GetWithDPoPAsync(token, [_key.CreateProof("GET", htu, token)]);

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task A_proof_for_the_URL_the_host_reports_is_refused()
    {
        var token = app.Issuer.CreateBoundToken(_key);

        using var response = await app.GetWithDPoPAsync(token, [_key.CreateProof("GET", app.UrlOf("api/private"), token)]);

        await ResponseAssert.InvalidProofAsync(response, "DPoP proof htu does not match the request URL");
    }
}

/// <summary>X-Forwarded-Proto and X-Forwarded-Host decide the URL a proof's htu names only when a setting trusts them.</summary>
public sealed class DPoPForwardedHeadersTests(DPoPForwardedHeadersFixture app) : IClassFixture<DPoPForwardedHeadersFixture>, IDisposable
{
    private readonly DPoPKey _key = DPoPKey.CreateEs256();

    public void Dispose() => _key.Dispose();

    [Fact]
    public async Task A_proof_for_the_forwarded_URL_is_accepted()
    {
        var token = app.Issuer.CreateBoundToken(_key);

        using var response = await app.GetWithDPoPAsync(
            token, [_key.CreateProof("GET", "https://api.example.com/api/private", token)], "api/private",
            ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "api.example.com"));

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Without_forwarded_headers_the_URL_the_host_reports_counts()
    {
        var token = app.Issuer.CreateBoundToken(_key);

        using var response = await app.GetWithDPoPAsync(token, [_key.CreateProof("GET", app.UrlOf("api/private"), token)]);

        Assert.Equal(200, (int)response.StatusCode);
    }
}
