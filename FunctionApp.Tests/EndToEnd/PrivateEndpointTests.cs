using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FunctionApp.TestHost.Issuer;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

public sealed class PrivateEndpointTests(AppFixture app) : IClassFixture<AppFixture>
{
    private LocalIssuer Issuer => app.Issuer;

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>A token signed with the current key whose default claims <paramref name="change"/> alters.</summary>
    private string TokenWithPayload(Action<JsonObject> change)
    {
        var payload = Issuer.NewPayload();
        change(payload);
        return Issuer.Sign(Issuer.NewHeader(), payload);
    }

    /// <summary>A token signed with the current key whose default header <paramref name="change"/> alters.</summary>
    private string TokenWithHeader(Action<JsonObject> change)
    {
        var header = Issuer.NewHeader();
        change(header);
        return Issuer.Sign(header, Issuer.NewPayload());
    }

    [Fact]
    public async Task Private_returns_403_when_header_missing()
    {
        using var response = await app.GetPrivateAsync(null);

        await ResponseAssert.JsonAsync(response, 403, """{"detail":"Not authenticated"}""");
        Assert.Equal("Bearer", ResponseAssert.Challenge(response));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    public async Task Private_returns_403_when_credential_empty(string authorization)
    {
        using var response = await app.GetPrivateAsync(authorization);

        await ResponseAssert.JsonAsync(response, 403, """{"detail":"Not authenticated"}""");
        Assert.Equal("Bearer", ResponseAssert.Challenge(response));
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Token abc.def.ghi")]
    public async Task Private_returns_403_when_scheme_is_not_bearer(string authorization)
    {
        using var response = await app.GetPrivateAsync(authorization);

        await ResponseAssert.JsonAsync(response, 403, """{"detail":"Invalid authentication credentials"}""");
        Assert.Equal("Bearer", ResponseAssert.Challenge(response));
    }

    [Fact]
    public async Task Private_returns_the_token_claims_exactly_as_carried()
    {
        var payload = Issuer.NewPayload();
        payload["permissions"] = new JsonArray("read:messages", "write:messages");
        payload["https://example.com/age"] = 42.5;
        payload["nested"] = new JsonObject { ["flag"] = true, ["none"] = null };

        using var response = await app.GetPrivateWithTokenAsync(Issuer.Sign(Issuer.NewHeader(), payload));

        await ResponseAssert.JsonAsync(response, 200, payload.ToJsonString());
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    public async Task Private_accepts_the_scheme_in_any_case(string scheme)
    {
        using var response = await app.GetPrivateAsync(scheme + " " + Issuer.CreateToken());

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Private_accepts_an_audience_array_containing_ours()
    {
        using var response = await app.GetPrivateWithTokenAsync(TokenWithPayload(payload => payload["aud"] = new JsonArray("https://other.test/", AppFixture.Audience)));

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Private_returns_400_when_token_expired()
    {
        using var response = await app.GetPrivateWithTokenAsync(TokenWithPayload(payload =>
        {
            payload["iat"] = Now - 7200;
            payload["exp"] = Now - 3600;
        }));

        await ResponseAssert.InvalidTokenAsync(response, "Token has expired");
    }

    [Fact]
    public async Task Private_returns_400_when_token_not_yet_valid()
    {
        using var response = await app.GetPrivateWithTokenAsync(TokenWithPayload(payload => payload["nbf"] = Now + 600));

        await ResponseAssert.InvalidTokenAsync(response, "Token is not yet valid");
    }

    [Fact]
    public async Task Private_returns_400_when_exp_missing()
    {
        using var response = await app.GetPrivateWithTokenAsync(TokenWithPayload(payload => payload.Remove("exp")));

        await ResponseAssert.InvalidTokenAsync(response, "Token has no expiry");
    }

    [Fact]
    public async Task Private_returns_400_when_audience_is_wrong()
    {
        using var response = await app.GetPrivateWithTokenAsync(TokenWithPayload(payload => payload["aud"] = "https://other.test/"));

        await ResponseAssert.InvalidTokenAsync(response, "Invalid audience");
    }

    [Fact]
    public async Task Private_returns_400_when_audience_array_lacks_ours()
    {
        using var response = await app.GetPrivateWithTokenAsync(TokenWithPayload(payload => payload["aud"] = new JsonArray("https://other.test/", "https://api.test")));

        await ResponseAssert.InvalidTokenAsync(response, "Invalid audience");
    }

    [Fact]
    public async Task Private_returns_400_when_audience_differs_only_by_a_trailing_slash()
    {
        using var response = await app.GetPrivateWithTokenAsync(TokenWithPayload(payload => payload["aud"] = "https://api.test"));

        await ResponseAssert.InvalidTokenAsync(response, "Invalid audience");
    }

    [Fact]
    public async Task Private_returns_400_when_issuer_is_wrong()
    {
        using var response = await app.GetPrivateWithTokenAsync(TokenWithPayload(payload => payload["iss"] = "https://attacker.example/"));

        await ResponseAssert.InvalidTokenAsync(response, "Invalid issuer");
    }

    [Fact]
    public async Task Private_returns_400_when_issuer_lacks_the_trailing_slash()
    {
        using var response = await app.GetPrivateWithTokenAsync(TokenWithPayload(payload => payload["iss"] = Issuer.Issuer.TrimEnd('/')));

        await ResponseAssert.InvalidTokenAsync(response, "Invalid issuer");
    }

    [Fact]
    public async Task Private_returns_400_when_no_key_matches_the_kid()
    {
        using var response = await app.GetPrivateWithTokenAsync(TokenWithHeader(header => header["kid"] = "unknown-kid"));

        await ResponseAssert.InvalidTokenAsync(response, "No signing key matches the token");
    }

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("NONE")]
    public async Task Private_returns_400_for_an_unsigned_token(string alg)
    {
        var header = Issuer.NewHeader();
        header["alg"] = alg;
        var token = CompactJws.Encode(header, Issuer.NewPayload(), _ => []);

        using var response = await app.GetPrivateWithTokenAsync(token);

        await ResponseAssert.InvalidTokenAsync(response, "Algorithm not allowed");
    }

    [Fact]
    public async Task Private_returns_400_for_HS256_signed_with_the_RSA_public_key()
    {
        var header = Issuer.NewHeader();
        header["alg"] = "HS256";
        var publicKey = Issuer.SigningKey.Rsa.ExportSubjectPublicKeyInfo();
        var token = CompactJws.Encode(header, Issuer.NewPayload(), input => HMACSHA256.HashData(publicKey, input));

        using var response = await app.GetPrivateWithTokenAsync(token);

        await ResponseAssert.InvalidTokenAsync(response, "Algorithm not allowed");
    }

    [Fact]
    public async Task Private_returns_400_when_payload_tampered()
    {
        var parts = Issuer.CreateToken().Split('.');
        var forged = Issuer.NewPayload();
        forged["sub"] = "admin@clients";
        parts[1] = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(forged.ToJsonString()));

        using var response = await app.GetPrivateWithTokenAsync(string.Join('.', parts));

        await ResponseAssert.InvalidTokenAsync(response, "Invalid signature");
    }

    [Fact]
    public async Task Private_returns_400_when_signature_stripped()
    {
        var token = Issuer.CreateToken();

        using var response = await app.GetPrivateWithTokenAsync(token[..(token.LastIndexOf('.') + 1)]);

        await ResponseAssert.InvalidTokenAsync(response, "Invalid signature");
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.e30")]
    public async Task Private_returns_400_for_a_malformed_token(string token)
    {
        using var response = await app.GetPrivateWithTokenAsync(token);

        await ResponseAssert.InvalidTokenAsync(response, "Malformed token");
    }

    [Fact]
    public async Task Private_returns_400_when_iat_is_in_the_future()
    {
        using var response = await app.GetPrivateWithTokenAsync(TokenWithPayload(payload => payload["iat"] = Now + 600));

        await ResponseAssert.InvalidTokenAsync(response, "Token is not yet valid");
    }

    [Fact]
    public async Task Private_returns_400_for_an_unknown_critical_header()
    {
        using var response = await app.GetPrivateWithTokenAsync(TokenWithHeader(header =>
        {
            header["crit"] = new JsonArray("exp-policy");
            header["exp-policy"] = "strict";
        }));

        await ResponseAssert.InvalidTokenAsync(response, "Unsupported critical header");
    }

    [Fact]
    public async Task Private_refuses_a_five_segment_JWE()
    {
        const string jwe = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a2V5.aXY.Y2lwaGVy.dGFn";

        using var response = await app.GetPrivateWithTokenAsync(jwe);

        await ResponseAssert.InvalidTokenAsync(response, "Malformed token");
    }

    [Fact]
    public async Task Private_returns_400_when_token_exceeds_the_size_limit()
    {
        using var response = await app.GetPrivateWithTokenAsync(TokenWithPayload(payload => payload["padding"] = new string('x', 16 * 1024)));

        await ResponseAssert.InvalidTokenAsync(response, "Token is too large");
    }

    [Fact]
    public async Task A_100_KB_header_is_refused_by_the_host_before_the_worker()
    {
        using var response = await app.GetPrivateAsync("Bearer " + new string('a', 100 * 1024));

        Assert.Equal(431, (int)response.StatusCode);
    }

    [Fact]
    public async Task Private_accepts_a_token_with_10_KB_of_claims()
    {
        var payload = Issuer.NewPayload();
        payload["padding"] = new string('x', 10 * 1024);

        using var response = await app.GetPrivateWithTokenAsync(Issuer.Sign(Issuer.NewHeader(), payload));

        await ResponseAssert.JsonAsync(response, 200, payload.ToJsonString());
    }

    [Fact]
    public async Task Private_returns_400_for_two_authorization_headers()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/private");
        request.Headers.TryAddWithoutValidation("Authorization", ["Bearer " + Issuer.CreateToken(), "Bearer " + Issuer.CreateToken()]);

        using var response = await app.Client.SendAsync(request);

        await ResponseAssert.InvalidTokenAsync(response, "Malformed token");
    }

    [Fact]
    public async Task Private_ignores_jku_x5u_and_embedded_jwk_headers()
    {
        using var attacker = new IssuerKey("attacker");
        var header = Issuer.NewHeader();
        header["kid"] = Issuer.SigningKey.Id;
        header["jku"] = "https://attacker.example/jwks.json";
        header["x5u"] = "https://attacker.example/cert.pem";
        header["jwk"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(attacker.ToJwk()));

        using var response = await app.GetPrivateWithTokenAsync(Issuer.Sign(header, Issuer.NewPayload(), attacker));

        await ResponseAssert.InvalidTokenAsync(response, "Invalid signature");
    }

    [Fact]
    public async Task Private_logs_one_line_per_rejection_without_the_token()
    {
        var header = Issuer.NewHeader();
        header["kid"] = "logged-kid";
        var token = Issuer.Sign(header, Issuer.NewPayload());

        using var response = await app.GetPrivateWithTokenAsync(token);

        var line = Assert.Single(app.Logs.Lines, l => l.Message.Contains("logged-kid", StringComparison.Ordinal));
        Assert.Contains("400", line.Message, StringComparison.Ordinal);
        Assert.Contains("No signing key matches the token", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs.Lines, l => l.Message.Contains(token.Split('.')[2], StringComparison.Ordinal));
    }
}
