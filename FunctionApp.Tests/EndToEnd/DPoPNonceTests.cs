using FunctionApp.Tests.Support;
using FunctionApp.TestHost.Hosting;
using FunctionApp.TestHost.Issuer;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// Three instances of the app against one issuer, as a scaled-out app runs: the fixture's worker and a second one with
/// the same <c>Auth0__DPoPNonceSecret</c>, and a third with another secret.
/// </summary>
public sealed class DPoPNonceFixture : AppFixture
{
    private const string Secret = "the-secret-every-instance-shares-0123456789";

    public DPoPNonceFixture() => Configure = settings => settings["Auth0__DPoPNonceSecret"] = Secret;

    /// <summary>Another instance with the same secret.</summary>
    public HttpClient SameSecret { get; private set; } = null!;

    /// <summary>An instance with a secret of its own.</summary>
    public HttpClient OtherSecret { get; private set; } = null!;

    private List<FunctionsHost> Others { get; } = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        SameSecret = await StartOtherAsync(Secret);
        OtherSecret = await StartOtherAsync("another-secret-of-another-app-0123456789");
    }

    public override async Task DisposeAsync()
    {
        SameSecret?.Dispose();
        OtherSecret?.Dispose();
        foreach (var host in Others)
        {
            await host.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    private async Task<HttpClient> StartOtherAsync(string secret)
    {
        var settings = Settings(Issuer);
        settings["Auth0__DPoPNonceSecret"] = secret;
        var host = await FunctionsHost.StartAsync(
            new FunctionsHostOptions { AppDirectory = FunctionsHostOptions.DefaultAppDirectory, Settings = settings }, NullLoggerFactory.Instance);
        Others.Add(host);
        return new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }
}

/// <summary>DPoP server nonces (RFC 9449 9): the challenge, the retry, and nonces any instance with the shared secret accepts.</summary>
public sealed class DPoPNonceTests(DPoPNonceFixture app) : IClassFixture<DPoPNonceFixture>, IDisposable
{
    private const string NeedsNonce = "DPoP proof needs the server's nonce";
    private const string StaleNonce = "DPoP proof nonce is stale or unknown";

    private readonly DPoPKey _key = DPoPKey.CreateEs256();

    public void Dispose() => _key.Dispose();

    [Fact]
    public async Task A_proof_without_a_nonce_gets_a_401_challenge_with_a_nonce()
    {
        using var response = await SendAsync(app.Client, app.Issuer.CreateBoundToken(_key), nonce: null);

        await ResponseAssert.JsonAsync(response, 401, $$"""{"status":"error","msg":"{{NeedsNonce}}"}""");
        Assert.Equal([$"DPoP error=\"use_dpop_nonce\", error_description=\"{NeedsNonce}\", algs=\"ES256\"", "Bearer"], ResponseAssert.Challenges(response));
        Assert.NotEmpty(Nonce(response));
    }

    [Fact]
    public async Task A_retry_with_the_nonce_gets_the_claims_and_a_nonce_for_the_next_request()
    {
        var token = app.Issuer.CreateBoundToken(_key);
        using var challenge = await SendAsync(app.Client, token, nonce: null);

        using var response = await SendAsync(app.Client, token, Nonce(challenge));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.NotEmpty(Nonce(response));
    }

    [Fact]
    public async Task A_made_up_nonce_gets_a_401_challenge_with_a_nonce()
    {
        using var response = await SendAsync(app.Client, app.Issuer.CreateBoundToken(_key), "AAAAAGkA9uVeXb4DMT0eGQ-qzqvdXDvh");

        await ResponseAssert.JsonAsync(response, 401, $$"""{"status":"error","msg":"{{StaleNonce}}"}""");
        Assert.NotEmpty(Nonce(response));
    }

    [Fact]
    public async Task A_nonce_from_one_instance_is_accepted_by_another_that_shares_the_secret()
    {
        var token = app.Issuer.CreateBoundToken(_key);
        using var challenge = await SendAsync(app.Client, token, nonce: null);

        using var response = await SendAsync(app.SameSecret, token, Nonce(challenge));

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task A_nonce_from_an_instance_with_another_secret_is_refused()
    {
        var token = app.Issuer.CreateBoundToken(_key);
        using var challenge = await SendAsync(app.OtherSecret, token, nonce: null);

        using var response = await SendAsync(app.Client, token, Nonce(challenge));

        await ResponseAssert.JsonAsync(response, 401, $$"""{"status":"error","msg":"{{StaleNonce}}"}""");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpClient client, string token, string? nonce)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/private");
        request.Headers.TryAddWithoutValidation("Authorization", "DPoP " + token);
        request.Headers.TryAddWithoutValidation("DPoP", _key.CreateProof("GET", new Uri(client.BaseAddress!, "api/private").AbsoluteUri, token, nonce));
        return await client.SendAsync(request);
    }

    private static string Nonce(HttpResponseMessage response) =>
        response.Headers.TryGetValues("DPoP-Nonce", out var values) ? values.Single() : string.Empty;
}
