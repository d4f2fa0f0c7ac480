using System.Text;
using System.Text.Json.Nodes;
using FunctionApp.Auth;
using FunctionApp.TestHost.Issuer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace FunctionApp.Tests.Auth;

/// <summary>The verified-token memory of one key set: exact matches only, never past expiry, bounded.</summary>
public sealed class SigningKeysTests
{
    private static readonly DateTime Now = DateTime.UtcNow;

    private static SigningKeys Keys(int capacity) => new(
        new OpenIdConnectConfiguration(),
        Auth0Settings.TryCreate(new Auth0Options { Domain = "tenant.auth0.com", ApiAudience = "https://api.test/", VerifiedTokenCacheSize = capacity }, out _)!);

    private static (string Text, VerifiedAccessToken Verified) Token(string subject, DateTime expires)
    {
        using var key = new IssuerKey("k");
        var payload = new JsonObject { ["sub"] = subject, ["exp"] = new DateTimeOffset(expires).ToUnixTimeSeconds() };
        var text = CompactJws.SignRsa(new JsonObject { ["alg"] = "RS256", ["kid"] = "k" }, payload, key.Rsa);
        return (text, new VerifiedAccessToken(new JsonWebToken(text), Encoding.UTF8.GetBytes(payload.ToJsonString())));
    }

    [Fact]
    public void A_remembered_token_is_found_by_its_exact_text()
    {
        var keys = Keys(10);
        var (text, verified) = Token("a", Now.AddHours(1));

        keys.Remember(text, verified);

        Assert.True(keys.TryGetVerified(text, Now, out var found));
        Assert.Same(verified, found);
        Assert.False(keys.TryGetVerified(text[..^1] + (text[^1] == 'A' ? 'B' : 'A'), Now, out _));
    }

    [Fact]
    public void An_expired_token_is_not_found_and_is_forgotten()
    {
        var keys = Keys(10);
        var (text, verified) = Token("a", Now.AddSeconds(10));
        keys.Remember(text, verified);

        Assert.False(keys.TryGetVerified(text, Now.AddSeconds(20), out _));
        Assert.False(keys.TryGetVerified(text, Now, out _));
    }

    [Fact]
    public void Size_zero_remembers_nothing()
    {
        var keys = Keys(0);
        var (text, verified) = Token("a", Now.AddHours(1));

        keys.Remember(text, verified);

        Assert.False(keys.TryGetVerified(text, Now, out _));
    }

    [Fact]
    public void A_full_memory_starts_over()
    {
        var keys = Keys(2);
        var tokens = Enumerable.Range(0, 3).Select(i => Token($"s{i}", Now.AddHours(1))).ToArray();

        foreach (var (text, verified) in tokens)
        {
            keys.Remember(text, verified);
        }

        Assert.False(keys.TryGetVerified(tokens[0].Text, Now, out _));
        Assert.False(keys.TryGetVerified(tokens[1].Text, Now, out _));
        Assert.True(keys.TryGetVerified(tokens[2].Text, Now, out _));
    }
}
