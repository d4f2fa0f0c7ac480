using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FunctionApp.Tests.Support;
using FunctionApp.TestHost.Issuer;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>DPoP (RFC 9449) through the real worker, under the default settings: DPoP allowed, ES256 proofs, no nonces.</summary>
public sealed class DPoPTests(AppFixture app) : IClassFixture<AppFixture>, IDisposable
{
    private readonly DPoPKey _key = DPoPKey.CreateEs256();

    public void Dispose() => _key.Dispose();

    [Theory]
    [InlineData("api/private")]
    [InlineData("api/private-scoped")]
    public async Task A_token_bound_by_the_issuer_with_a_valid_proof_gets_the_claims(string path)
    {
        var token = await BoundTokenFromIssuerAsync();

        using var response = await app.GetWithDPoPAsync(_key, token, path);

        Assert.Equal(200, (int)response.StatusCode);
        using var claims = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(_key.Thumbprint, claims.RootElement.GetProperty("cnf").GetProperty("jkt").GetString());
        ResponseAssert.KeptPrivate(response);
        Assert.False(response.Headers.Contains("DPoP-Nonce"));
    }

    [Fact]
    public async Task A_bound_token_seen_before_still_needs_a_proof_on_every_request()
    {
        var token = app.Issuer.CreateBoundToken(_key);
        using var first = await app.GetWithDPoPAsync(_key, token);

        using var second = await app.GetWithDPoPAsync(token, []);

        Assert.Equal(200, (int)first.StatusCode);
        await ResponseAssert.InvalidProofAsync(second, "Missing DPoP proof");
    }

    [Fact]
    public async Task A_token_bound_to_a_key_is_refused_as_a_bearer_token()
    {
        using var response = await app.GetPrivateWithTokenAsync(app.Issuer.CreateBoundToken(_key));

        await ResponseAssert.InvalidTokenAsync(response, "Token is bound to a key; send it with the DPoP scheme and a proof");
    }

    [Fact]
    public async Task A_token_bound_to_nothing_is_refused_with_the_DPoP_scheme()
    {
        var token = app.Issuer.CreateToken();

        using var response = await app.GetWithDPoPAsync(_key, token);

        await ResponseAssert.JsonAsync(response, 400, """{"status":"error","msg":"Token is not bound to a DPoP key"}""");
        Assert.Equal(["DPoP error=\"invalid_token\", error_description=\"Token is not bound to a DPoP key\", algs=\"ES256\"", "Bearer"],
            ResponseAssert.Challenges(response));
    }

    [Fact]
    public async Task A_proof_sent_twice_is_refused_the_second_time()
    {
        var token = app.Issuer.CreateBoundToken(_key);
        var proof = _key.CreateProof("GET", app.UrlOf("api/private"), token);

        using var first = await app.GetWithDPoPAsync(token, [proof]);
        using var replay = await app.GetWithDPoPAsync(token, [proof]);

        Assert.Equal(200, (int)first.StatusCode);
        await ResponseAssert.InvalidProofAsync(replay, "DPoP proof has been used before");
    }

    [Fact]
    public async Task Two_DPoP_headers_are_refused()
    {
        var token = app.Issuer.CreateBoundToken(_key);
        var url = app.UrlOf("api/private");

        using var response = await app.GetWithDPoPAsync(token, [_key.CreateProof("GET", url, token), _key.CreateProof("GET", url, token)]);

        await ResponseAssert.InvalidProofAsync(response, "More than one DPoP proof");
    }

    [Fact]
    public async Task A_proof_for_the_URL_without_its_query_is_accepted()
    {
        var token = app.Issuer.CreateBoundToken(_key);

        using var response = await app.GetWithDPoPAsync(token, [_key.CreateProof("GET", app.UrlOf("api/private"), token)], "api/private?page=2#top");

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Forwarded_headers_do_not_decide_the_URL_unless_a_setting_trusts_them()
    {
        var token = app.Issuer.CreateBoundToken(_key);

        using var response = await app.GetWithDPoPAsync(
            token, [_key.CreateProof("GET", "https://api.example.com/api/private", token)], "api/private",
            ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "api.example.com"));

        await ResponseAssert.InvalidProofAsync(response, "DPoP proof htu does not match the request URL");
    }

    [Fact]
    public async Task The_public_endpoint_ignores_DPoP()
    {
        using var response = await app.GetWithDPoPAsync("not-a-token", ["not-a-proof"], "api/public");

        Assert.Equal(200, (int)response.StatusCode);
    }

    public static TheoryData<string, string> ProofFaults() => new()
    {
        { "not a JWS", "Malformed DPoP proof" },
        { "typ JWT", "DPoP proof typ is not dpop+jwt" },
        { "alg RS256", "DPoP proof algorithm not allowed" },
        { "crit", "Unsupported critical header in DPoP proof" },
        { "private jwk", "DPoP proof jwk contains private key members" },
        { "jwk on another curve", "DPoP proof jwk is not a public key for its algorithm" },
        { "htm POST", "DPoP proof htm does not match the request method" },
        { "htu of another path", "DPoP proof htu does not match the request URL" },
        { "htu of another host", "DPoP proof htu does not match the request URL" },
        { "no iat", "DPoP proof has no iat" },
        { "iat 301 s old", "DPoP proof is too old" },
        { "iat 60 s ahead", "DPoP proof is issued in the future" },
        { "no jti", "DPoP proof has no jti" },
        { "ath of another token", "DPoP proof ath does not match the access token" },
        { "no ath", "DPoP proof ath does not match the access token" },
        { "another key", "DPoP proof key does not match the token's cnf.jkt" },
        { "signature of other bytes", "Invalid DPoP proof signature" },
        { "duplicate htm", "Malformed DPoP proof" },
    };

    [Theory]
    [MemberData(nameof(ProofFaults))]
    public async Task Each_proof_check_refuses_on_its_own(string fault, string reason)
    {
        var token = app.Issuer.CreateBoundToken(_key);
        var proof = FaultyProof(fault, token, app.UrlOf("api/private"));

        using var response = await app.GetWithDPoPAsync(token, [proof]);

        await ResponseAssert.InvalidProofAsync(response, reason);
        ResponseAssert.KeptPrivate(response);
    }

    private string FaultyProof(string fault, string token, string url)
    {
        var header = _key.NewProofHeader();
        var payload = _key.NewProofPayload("GET", url, token);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        switch (fault)
        {
            case "not a JWS":
                return "eyJhbGciOiJFUzI1NiJ9.e30";
            case "typ JWT":
                header["typ"] = "JWT";
                break;
            case "alg RS256":
                header["alg"] = "RS256";
                break;
            case "crit":
                header["crit"] = new JsonArray("exp");
                break;
            case "private jwk":
                header["jwk"] = _key.PrivateJwk();
                break;
            case "jwk on another curve":
                using (var other = DPoPKey.CreateEcdsa("ES384"))
                {
                    header["jwk"] = other.PublicJwk();
                }

                break;
            case "htm POST":
                payload["htm"] = "POST";
                break;
            case "htu of another path":
                payload["htu"] = url.Replace("api/private", "api/private-scoped", StringComparison.Ordinal);
                break;
            case "htu of another host":
                payload["htu"] = "https://elsewhere.example/api/private";
                break;
            case "no iat":
                payload.Remove("iat");
                break;
            case "iat 301 s old":
                payload["iat"] = now - 301;
                break;
            case "iat 60 s ahead":
                payload["iat"] = now + 60;
                break;
            case "no jti":
                payload.Remove("jti");
                break;
            case "ath of another token":
                payload["ath"] = Base64Url.EncodeToString(System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes(app.Issuer.CreateToken())));
                break;
            case "no ath":
                payload.Remove("ath");
                break;
            case "another key":
                using (var other = DPoPKey.CreateEs256())
                {
                    return other.CreateProof("GET", url, token);
                }

            case "signature of other bytes":
                var genuine = _key.Sign(header, payload);
                var another = _key.Sign(header, _key.NewProofPayload("GET", url, token));
                return genuine[..genuine.LastIndexOf('.')] + another[another.LastIndexOf('.')..];
            case "duplicate htm":
                var json = payload.ToJsonString();
                return _key.SignText(header.ToJsonString(), json.Insert(json.Length - 1, ",\"htm\":\"GET\""));
            default:
                throw new ArgumentOutOfRangeException(nameof(fault), fault, "No such fault.");
        }

        return _key.Sign(header, payload);
    }

    // The client-credentials grant with a proof for the token endpoint, as a DPoP client asks Auth0 for a bound token.
    private async Task<string> BoundTokenFromIssuerAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, app.Issuer.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = app.Issuer.ClientId,
                ["client_secret"] = app.Issuer.Grant.ClientSecret,
                ["audience"] = app.Issuer.Audience,
            }),
        };
        request.Headers.Add("DPoP", _key.CreateProof("POST", app.Issuer.TokenEndpoint.AbsoluteUri));
        using var client = new HttpClient();
        using var response = await client.SendAsync(request);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("DPoP", answer.RootElement.GetProperty("token_type").GetString());
        return answer.RootElement.GetProperty("access_token").GetString()!;
    }
}
