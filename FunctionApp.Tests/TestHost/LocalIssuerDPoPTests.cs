using System.Buffers.Text;
using System.Net;
using System.Text.Json.Nodes;
using FunctionApp.TestHost.Issuer;

namespace FunctionApp.Tests.TestHost;

/// <summary>The local issuer's token endpoint with DPoP proofs (RFC 9449 5), over real HTTP.</summary>
public sealed class LocalIssuerDPoPTests : IAsyncLifetime, IDisposable
{
    private readonly HttpClient _http = new();
    private readonly DPoPKey _key = DPoPKey.CreateEs256();
    private LocalIssuer _issuer = null!;

    private string TokenEndpoint => _issuer.TokenEndpoint.AbsoluteUri;

    public async Task InitializeAsync() => _issuer = await LocalIssuer.StartAsync("https://dpop.test/api");

    public async Task DisposeAsync() => await _issuer.DisposeAsync();

    public void Dispose()
    {
        _http.Dispose();
        _key.Dispose();
    }

    [Fact]
    public async Task A_valid_proof_gets_a_DPoP_token_bound_to_its_key()
    {
        var (status, answer, _) = await RequestTokenAsync(_key.CreateProof("POST", TokenEndpoint));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["access_token", "scope", "expires_in", "token_type"], answer.Select(m => m.Key));
        Assert.Equal("DPoP", (string?)answer["token_type"]);
        var claims = Claims((string)answer["access_token"]!);
        Assert.Equal(_key.Thumbprint, (string?)claims["cnf"]?["jkt"]);
        Assert.Equal("read:messages", (string?)claims["scope"]);
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("PS256")]
    public async Task A_proof_signed_with_an_RSA_key_gets_a_token_bound_to_that_key(string algorithm)
    {
        using var key = DPoPKey.CreateRsa(algorithm);

        var (status, answer, _) = await RequestTokenAsync(key.CreateProof("POST", TokenEndpoint));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(key.Thumbprint, (string?)Claims((string)answer["access_token"]!)["cnf"]?["jkt"]);
    }

    [Fact]
    public async Task Without_a_proof_the_token_is_a_Bearer_token_without_cnf()
    {
        var (status, answer, _) = await RequestTokenAsync();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Bearer", (string?)answer["token_type"]);
        Assert.Null(Claims((string)answer["access_token"]!)["cnf"]);
    }

    [Fact]
    public async Task The_htu_is_compared_without_its_query_and_fragment()
    {
        var (status, _, _) = await RequestTokenAsync(_key.CreateProof("POST", TokenEndpoint + "?from=test#here"));

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task A_proof_for_another_method_is_refused() =>
        await AssertRefusedAsync(_key.CreateProof("GET", TokenEndpoint), "htm");

    [Fact]
    public async Task A_proof_for_another_URL_is_refused() =>
        await AssertRefusedAsync(_key.CreateProof("POST", new Uri(_issuer.Authority, "oauth/other").AbsoluteUri), "htu");

    [Fact]
    public async Task A_proof_whose_jwk_holds_the_private_key_is_refused()
    {
        var header = _key.NewProofHeader();
        header["jwk"] = _key.PrivateJwk();

        await AssertRefusedAsync(_key.Sign(header, _key.NewProofPayload("POST", TokenEndpoint)), "private");
    }

    [Fact]
    public async Task A_proof_signed_with_another_key_than_its_jwk_is_refused()
    {
        using var other = DPoPKey.CreateEs256();

        await AssertRefusedAsync(other.Sign(_key.NewProofHeader(), _key.NewProofPayload("POST", TokenEndpoint)), "Signature");
    }

    [Theory]
    [InlineData("typ", "JWT", "typ")]
    [InlineData("alg", "HS256", "alg")]
    [InlineData("alg", "none", "alg")]
    [InlineData("alg", "ES384", "alg")]
    public async Task A_proof_with_another_header_is_refused(string member, string value, string reason)
    {
        var header = _key.NewProofHeader();
        header[member] = value;

        await AssertRefusedAsync(_key.Sign(header, _key.NewProofPayload("POST", TokenEndpoint)), reason);
    }

    [Theory]
    [InlineData(-3600)]
    [InlineData(3600)]
    public async Task A_proof_issued_far_from_now_is_refused(int offsetSeconds)
    {
        var payload = _key.NewProofPayload("POST", TokenEndpoint);
        payload["iat"] = (long)payload["iat"]! + offsetSeconds;

        await AssertRefusedAsync(_key.Sign(_key.NewProofHeader(), payload), "iat");
    }

    [Fact]
    public async Task A_proof_without_jti_is_refused()
    {
        var payload = _key.NewProofPayload("POST", TokenEndpoint);
        payload.Remove("jti");

        await AssertRefusedAsync(_key.Sign(_key.NewProofHeader(), payload), "jti");
    }

    [Fact]
    public async Task A_proof_with_duplicate_members_is_refused()
    {
        var payload = _key.NewProofPayload("POST", TokenEndpoint).ToJsonString();

        await AssertRefusedAsync(_key.SignText(_key.NewProofHeader().ToJsonString(), payload[..^1] + ""","htm":"GET"}"""), "JWT");
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a jwt")]
    [InlineData("a.b")]
    [InlineData("e30.e30.e30.e30")]
    [InlineData("e30=.e30.AA")]
    public async Task A_proof_that_is_not_a_JWT_is_refused(string proof) =>
        await AssertRefusedAsync(proof, "JWT");

    [Fact]
    public async Task Two_proofs_are_refused()
    {
        var (status, answer, _) = await RequestTokenAsync(_key.CreateProof("POST", TokenEndpoint), _key.CreateProof("POST", TokenEndpoint));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_dpop_proof", (string?)answer["error"]);
    }

    [Fact]
    public async Task With_nonces_required_the_first_proof_gets_a_nonce_and_the_retry_with_it_a_bound_token()
    {
        _issuer.RequireDPoPNonce = true;

        var (firstStatus, first, nonce) = await RequestTokenAsync(_key.CreateProof("POST", TokenEndpoint));
        var (retryStatus, retry, _) = await RequestTokenAsync(_key.CreateProof("POST", TokenEndpoint, nonce: nonce));

        Assert.Equal(HttpStatusCode.BadRequest, firstStatus);
        Assert.Equal("""{"error":"use_dpop_nonce","error_description":"Authorization server requires nonce in DPoP proof"}""", first.ToJsonString());
        Assert.False(string.IsNullOrEmpty(nonce));
        Assert.Equal(HttpStatusCode.OK, retryStatus);
        Assert.Equal("DPoP", (string?)retry["token_type"]);
        Assert.Equal(_key.Thumbprint, (string?)Claims((string)retry["access_token"]!)["cnf"]?["jkt"]);
    }

    [Fact]
    public async Task With_nonces_required_a_made_up_nonce_is_refused_and_a_fresh_one_sent()
    {
        _issuer.RequireDPoPNonce = true;

        var (status, answer, nonce) = await RequestTokenAsync(_key.CreateProof("POST", TokenEndpoint, nonce: "made-up"));
        var (retryStatus, retry, _) = await RequestTokenAsync(_key.CreateProof("POST", TokenEndpoint, nonce: nonce));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("use_dpop_nonce", (string?)answer["error"]);
        Assert.Equal(HttpStatusCode.OK, retryStatus);
        Assert.Equal("DPoP", (string?)retry["token_type"]);
    }

    [Fact]
    public async Task With_nonces_required_an_invalid_proof_is_refused_as_invalid_and_gets_no_nonce()
    {
        _issuer.RequireDPoPNonce = true;

        var (status, answer, nonce) = await RequestTokenAsync(_key.CreateProof("GET", TokenEndpoint));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_dpop_proof", (string?)answer["error"]);
        Assert.Null(nonce);
    }

    private async Task AssertRefusedAsync(string proof, string reason)
    {
        var (status, answer, _) = await RequestTokenAsync(proof);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(["error", "error_description"], answer.Select(m => m.Key));
        Assert.Equal("invalid_dpop_proof", (string?)answer["error"]);
        Assert.Contains(reason, (string)answer["error_description"]!, StringComparison.Ordinal);
    }

    /// <summary>Posts the client-credentials grant with one DPoP header per proof; the answer, and the DPoP-Nonce header if any.</summary>
    private async Task<(HttpStatusCode Status, JsonObject Answer, string? Nonce)> RequestTokenAsync(params string[] proofs)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _issuer.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = _issuer.ClientId,
                ["client_secret"] = _issuer.Grant.ClientSecret,
                ["audience"] = _issuer.Audience,
            }),
        };
        foreach (var proof in proofs)
        {
            request.Headers.TryAddWithoutValidation("DPoP", proof);
        }

        using var response = await _http.SendAsync(request);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        return (response.StatusCode, answer, response.Headers.TryGetValues("DPoP-Nonce", out var nonces) ? nonces.Single() : null);
    }

    private static JsonObject Claims(string token) => JsonNode.Parse(Base64Url.DecodeFromChars(token.Split('.')[1]))!.AsObject();
}
