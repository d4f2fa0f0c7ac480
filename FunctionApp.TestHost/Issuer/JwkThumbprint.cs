using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace FunctionApp.TestHost.Issuer;

/// <summary>The JWK thumbprint of RFC 7638: what a DPoP-bound token names in cnf.jkt.</summary>
public static class JwkThumbprint
{
    /// <summary>
    /// SHA-256, base64url, over the key type's required members in lexicographic order, without whitespace; every
    /// other member (alg, kid, the private ones) is left out, so a key's public and private JWKs have one thumbprint.
    /// </summary>
    public static string Of(JsonObject jwk)
    {
        ArgumentNullException.ThrowIfNull(jwk);
        string[] required = Member(jwk, "kty") switch
        {
            "EC" => ["crv", "kty", "x", "y"],
            "RSA" => ["e", "kty", "n"],
            "oct" => ["k", "kty"],
            var kty => throw new ArgumentException($"No thumbprint for key type {kty}.", nameof(jwk)),
        };
        var canonical = new JsonObject();
        foreach (var name in required)
        {
            canonical[name] = Member(jwk, name);
        }

        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToJsonString())));
    }

    private static string Member(JsonObject jwk, string name) =>
        jwk[name] is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : throw new ArgumentException($"The JWK has no string member {name}.", nameof(jwk));
}
