using System.Buffers.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace FunctionApp.Auth;

/// <summary>
/// The public key a DPoP proof carries in its jwk header, read for the proof's alg as IdentityModel's
/// <see cref="JsonWebKey"/>: an EC key on the alg's curve or an RSA key of 2048 to 8192 bits, and its RFC 7638
/// thumbprint, the value a bound token names in cnf.jkt.
/// </summary>
internal sealed class ProofKey
{
    // The members that make a JWK private (RFC 7518 6.2.2, 6.3.2, 6.4): a client that sends them has leaked its key.
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    private ProofKey(JsonWebKey key)
    {
        Key = key;
        Thumbprint = Base64Url.EncodeToString(key.ComputeJwkThumbprint());
    }

    /// <summary>The key, for IdentityModel to verify the proof's signature with.</summary>
    public JsonWebKey Key { get; }

    /// <summary>base64url(SHA-256) of the key's required members in lexicographic order, as RFC 7638 3 computes it.</summary>
    public string Thumbprint { get; }

    /// <summary>True when <paramref name="jwk"/> has a member only a private key has.</summary>
    public static bool HasPrivateMembers(JsonElement jwk) =>
        jwk.ValueKind == JsonValueKind.Object && PrivateMembers.Any(name => jwk.TryGetProperty(name, out _));

    /// <summary>The key, or null when <paramref name="jwk"/> is no public key <paramref name="algorithm"/> can use.</summary>
    public static ProofKey? TryRead(JsonElement jwk, string algorithm)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        if (jwk.ValueKind != JsonValueKind.Object || StrictJws.StringMember(jwk, "kty") is not { } kty)
        {
            return null;
        }

        // RFC 7517 4.4: a key that states the one alg it is for may not be used with another.
        if (jwk.TryGetProperty("alg", out _) && StrictJws.StringMember(jwk, "alg") != algorithm)
        {
            return null;
        }

        // Only the members that make the key, as RFC 7638 names them: the others say nothing the checks need.
        JsonWebKey? key = (SigningKeySet.KeyTypeFor(algorithm), kty) switch
        {
            ("EC", "EC") when IsEcKey(jwk, algorithm) => new()
            {
                Kty = kty, Crv = StrictJws.StringMember(jwk, "crv"), X = StrictJws.StringMember(jwk, "x"), Y = StrictJws.StringMember(jwk, "y"),
            },
            ("RSA", "RSA") when IsRsaKey(jwk) => new() { Kty = kty, N = StrictJws.StringMember(jwk, "n"), E = StrictJws.StringMember(jwk, "e") },
            _ => null,
        };
        return key is null ? null : new ProofKey(key);
    }

    // On the alg's curve (RFC 7518 3.4), each coordinate the curve's size.
    private static bool IsEcKey(JsonElement jwk, string algorithm)
    {
        var size = algorithm switch
        {
            "ES256" => 32,
            "ES384" => 48,
            _ => 66,
        };
        return StrictJws.StringMember(jwk, "crv") == SigningKeySet.CurveFor(algorithm)
            && DecodedLength(jwk, "x") == size && DecodedLength(jwk, "y") == size;
    }

    // 2048 bits at least, as for the tenant's own keys; 8192 at most, a bound on the work a proof can ask for. No
    // leading zero byte, so the size is the key's.
    private static bool IsRsaKey(JsonElement jwk) =>
        Decode(jwk, "n") is { Length: >= 256 and <= 1024 } modulus && modulus[0] != 0
        && Decode(jwk, "e") is { Length: >= 1 and <= 8 } exponent && exponent[0] != 0;

    private static int DecodedLength(JsonElement jwk, string member) => Decode(jwk, member)?.Length ?? -1;

    private static byte[]? Decode(JsonElement jwk, string member) =>
        StrictJws.StringMember(jwk, member) is { Length: > 0 } text && Base64Url.IsValid(text) ? Base64Url.DecodeFromChars(text) : null;
}
