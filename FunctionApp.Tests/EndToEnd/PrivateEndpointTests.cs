using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FunctionApp.TestHost.Issuer;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

public sealed class PrivateEndpointTests(AppFixture app) : IClassFixture<AppFixture>
{
    private LocalIssuer Issuer => app.Issuer;

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

    [Fact]
    public async Task Private_logs_one_line_per_rejection_without_the_token()
    {
        var token = Issuer.CreateToken(keyId: "logged-kid");

        using var response = await app.GetPrivateWithTokenAsync(token);

        var line = Assert.Single(app.Logs.Lines, l => l.Message.Contains("logged-kid", StringComparison.Ordinal));
        Assert.Contains("400", line.Message, StringComparison.Ordinal);
        Assert.Contains("No signing key matches the token", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs.Lines, l => l.Message.Contains(token.Split('.')[2], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Private_logs_a_hostile_kid_with_its_control_and_bidi_characters_escaped()
    {

        using var response = await app.GetPrivateWithTokenAsync(Issuer.CreateToken(keyId: "forged\r\n\u001b[31mERROR\u0000\u202eevil"));

        var line = Assert.Single(app.Logs.Lines, l => l.Message.Contains("forged", StringComparison.Ordinal));
        Assert.Contains(@"(kid: forged\u000D\u000A\u001B[31mERROR\u0000\u202Eevil)", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(line.Message, c => char.IsControl(c) || c == '\u202e');
    }

    [Fact]
    public async Task Private_claims_are_not_for_shared_caches_or_sniffing()
    {
        using var response = await app.GetPrivateWithTokenAsync(Issuer.CreateToken());

        Assert.Equal(200, (int)response.StatusCode);
        ResponseAssert.KeptPrivate(response);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer garbage")]
    public async Task Private_rejections_are_not_for_shared_caches_or_sniffing(string? authorization)
    {
        using var response = await app.GetPrivateAsync(authorization);

        Assert.NotEqual(200, (int)response.StatusCode);
        ResponseAssert.KeptPrivate(response);
    }

    [Fact]
    public async Task Logs_at_every_level_carry_no_token_and_no_key_material()
    {
        var valid = Issuer.CreateToken();
        var unknownKid = Issuer.CreateToken(keyId: "unpublished");
        var tampered = valid[..^4] + (valid.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        var tokens = new[] { valid, unknownKid, tampered };
        foreach (var token in tokens)
        {
            using var response = await app.GetPrivateWithTokenAsync(token);
        }

        // Each token's payload and signature, and the public key the worker fetched: none may reach a log line.
        var secrets = tokens.SelectMany(t => t.Split('.')[1..]).Append(Issuer.SigningKey.ToJwk()["n"]).Select(s => s[..32]);
        Assert.All(secrets, secret => Assert.DoesNotContain(app.Logs.Lines, l => l.Message.Contains(secret, StringComparison.Ordinal)));
    }
}
