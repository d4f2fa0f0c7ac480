using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace FunctionApp.Auth;

/// <summary>
/// The public key a DPoP proof carries in its jwk header, read for the proof's alg: an EC key on the alg's curve or an
/// RSA key of 2048 bits or more, and its RFC 7638 thumbprint, the value a bound token names in cnf.jkt.
/// </summary>
internal sealed class ProofKey
{
    // The members that make a JWK private (RFC 7518 6.2.2, 6.3.2, 6.4): a client that sends them has leaked its key.
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    private readonly ECParameters? _ec;
    private readonly RSAParameters? _rsa;

    private ProofKey(string thumbprint, ECParameters? ec, RSAParameters? rsa)
    {
        Thumbprint = thumbprint;
        _ec = ec;
        _rsa = rsa;
    }

    /// <summary>base64url(SHA-256) of the key's required members in lexicographic order, as RFC 7638 3 computes it.</summary>
    public string Thumbprint { get; }

    /// <summary>True when <paramref name="jwk"/> has a member only a private key has.</summary>
    public static bool HasPrivateMembers(JsonElement jwk) =>
        jwk.ValueKind == JsonValueKind.Object && PrivateMembers.Any(name => jwk.TryGetProperty(name, out _));

    /// <summary>The key, or null when <paramref name="jwk"/> is no public key <paramref name="algorithm"/> can use.</summary>
    public static ProofKey? TryRead(JsonElement jwk, string algorithm)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        if (jwk.ValueKind != JsonValueKind.Object || StrictJson.StringMember(jwk, "kty") is not { } kty)
        {
            return null;
        }

        // RFC 7517 4.4: a key that states the one alg it is for may not be used with another.
        if (jwk.TryGetProperty("alg", out _) && StrictJson.StringMember(jwk, "alg") != algorithm)
        {
            return null;
        }

        return (SigningKeys.KeyTypeFor(algorithm), kty) switch
        {
            ("EC", "EC") => ReadEc(jwk, algorithm),
            ("RSA", "RSA") => ReadRsa(jwk),
            _ => null,
        };
    }

    /// <summary>A new .NET key object for this key; throws <see cref="CryptographicException"/> for a point off its curve.</summary>
    public AsymmetricAlgorithm Import() => _ec is { } ec ? ECDsa.Create(ec) : RSA.Create(_rsa!.Value);

    /// <summary>Verifies a JWS signature (RFC 7518 3) made by this key with <paramref name="algorithm"/>.</summary>
    public static bool Verify(AsymmetricAlgorithm key, string algorithm, ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        var hash = algorithm[2..] switch
        {
            "256" => HashAlgorithmName.SHA256,
            "384" => HashAlgorithmName.SHA384,
            _ => HashAlgorithmName.SHA512,
        };
        return key switch
        {
            // A JWS ECDSA signature is r and s side by side (IEEE P1363), .NET's default format.
            ECDsa ec => ec.VerifyData(input, signature, hash),
            RSA rsa => rsa.VerifyData(input, signature, hash, algorithm[0] == 'P' ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1),
            _ => false,
        };
    }

    private static ProofKey? ReadEc(JsonElement jwk, string algorithm)
    {
        var curveName = SigningKeys.CurveFor(algorithm);
        var (curve, size) = algorithm switch
        {
            "ES256" => (ECCurve.NamedCurves.nistP256, 32),
            "ES384" => (ECCurve.NamedCurves.nistP384, 48),
            _ => (ECCurve.NamedCurves.nistP521, 66),
        };
        if (StrictJson.StringMember(jwk, "crv") != curveName || StrictJson.StringMember(jwk, "x") is not { } x || StrictJson.StringMember(jwk, "y") is not { } y
            || Decode(x) is not { Length: var xLength } qx || xLength != size || Decode(y) is not { Length: var yLength } qy || yLength != size)
        {
            return null;
        }

        var thumbprint = ThumbprintOf($$"""{"crv":"{{curveName}}","kty":"EC","x":"{{x}}","y":"{{y}}"}""");
        return new ProofKey(thumbprint, new ECParameters { Curve = curve, Q = new ECPoint { X = qx, Y = qy } }, null);
    }

    private static ProofKey? ReadRsa(JsonElement jwk)
    {
        // 2048 bits at least, as for the tenant's own keys; 8192 at most, a bound on the work a proof can ask for.
        if (StrictJson.StringMember(jwk, "n") is not { } n || StrictJson.StringMember(jwk, "e") is not { } e
            || Decode(n) is not { Length: >= 256 and <= 1024 } modulus || modulus[0] == 0
            || Decode(e) is not { Length: >= 1 and <= 8 } exponent || exponent[0] == 0)
        {
            return null;
        }

        var thumbprint = ThumbprintOf($$"""{"e":"{{e}}","kty":"RSA","n":"{{n}}"}""");
        return new ProofKey(thumbprint, null, new RSAParameters { Modulus = modulus, Exponent = exponent });
    }

    // The members are base64url or fixed names by the time they get here, so the JSON needs no escaping.
    private static string ThumbprintOf(string requiredMembers) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(requiredMembers)));

    private static byte[]? Decode(string text) => text.Length > 0 ? JwsSegments.TryDecode(text) : null;
}
