using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Primitives;

namespace FunctionApp.TestHost.Issuer;

/// <summary>
/// The local issuer's own check of the DPoP proofs sent to one endpoint (RFC 9449 4.3), written apart from the app's
/// so that each can be tested against the other.
/// </summary>
public sealed class DPoPProofCheck(string method, Uri endpoint)
{
    public const string HeaderName = "DPoP";

    public const string NonceHeaderName = "DPoP-Nonce";

    private const double MaxAgeSeconds = 300;
    private const double MaxAheadSeconds = 30;

    private static readonly SearchValues<char> Base64UrlAlphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>The members of a JWK that hold a private or symmetric key (RFC 7518 6.2.2, 6.3.2, 6.4).</summary>
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    private readonly DPoPNonces _nonces = new();

    /// <summary>Whether a proof must carry a nonce this endpoint handed out; one without gets use_dpop_nonce and a nonce.</summary>
    public bool RequireNonce { get; set; }

    /// <summary>Checks the values of a request's DPoP headers.</summary>
    public DPoPProofOutcome Check(StringValues proofs)
    {
        if (proofs.Count != 1)
        {
            return DPoPProofOutcome.Invalid("Exactly one DPoP header is allowed");
        }

        var parts = proofs[0]!.Split('.');
        if (parts.Length != 3 || !TryDecodeObject(parts[0], out var header) || !TryDecodeObject(parts[1], out var payload)
            || !TryDecode(parts[2], out var signature))
        {
            return DPoPProofOutcome.Invalid("Not a JWT of three base64url segments");
        }

        if (Text(header, "typ") != "dpop+jwt")
        {
            return DPoPProofOutcome.Invalid("typ is not dpop+jwt");
        }

        var alg = Text(header, "alg");
        if (alg is not ("ES256" or "RS256" or "PS256"))
        {
            return DPoPProofOutcome.Invalid("alg is not ES256, RS256 or PS256");
        }

        if (header["jwk"] is not JsonObject jwk)
        {
            return DPoPProofOutcome.Invalid("No jwk in the header");
        }

        if (PrivateMembers.Any(jwk.ContainsKey))
        {
            return DPoPProofOutcome.Invalid("jwk holds private key material");
        }

        if (!Verifies(alg, jwk, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature))
        {
            return DPoPProofOutcome.Invalid("Signature does not verify with jwk");
        }

        if (Text(payload, "htm") != method)
        {
            return DPoPProofOutcome.Invalid($"htm is not {method}");
        }

        // RFC 9449 4.3: the URI without its query and fragment; Uri compares scheme and host case-insensitively, ports by value.
        if (!Uri.TryCreate(Text(payload, "htu"), UriKind.Absolute, out var htu)
            || htu.GetLeftPart(UriPartial.Path) != endpoint.GetLeftPart(UriPartial.Path))
        {
            return DPoPProofOutcome.Invalid($"htu is not {endpoint.GetLeftPart(UriPartial.Path)}");
        }

        if (payload["iat"] is not JsonValue iatValue || !iatValue.TryGetValue<double>(out var iat))
        {
            return DPoPProofOutcome.Invalid("No iat");
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (now - iat > MaxAgeSeconds || iat - now > MaxAheadSeconds)
        {
            return DPoPProofOutcome.Invalid("iat is too far from now");
        }

        if (string.IsNullOrEmpty(Text(payload, "jti")))
        {
            return DPoPProofOutcome.Invalid("No jti");
        }

        if (RequireNonce && (Text(payload, "nonce") is not { } nonce || !_nonces.IsCurrent(nonce)))
        {
            return DPoPProofOutcome.UseNonce(_nonces.Issue());
        }

        return DPoPProofOutcome.Accepted(JwkThumbprint.Of(jwk));
    }

    private static bool Verifies(string alg, JsonObject jwk, byte[] signingInput, byte[] signature)
    {
        try
        {
            if (alg == "ES256")
            {
                if (Text(jwk, "kty") != "EC" || Text(jwk, "crv") != "P-256"
                    || !TryDecode(Text(jwk, "x"), out var x) || !TryDecode(Text(jwk, "y"), out var y))
                {
                    return false;
                }

                using var ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } });
                return ecdsa.VerifyData(signingInput, signature, HashAlgorithmName.SHA256);
            }

            if (Text(jwk, "kty") != "RSA" || !TryDecode(Text(jwk, "n"), out var n) || !TryDecode(Text(jwk, "e"), out var e))
            {
                return false;
            }

            using var rsa = RSA.Create(new RSAParameters { Modulus = n, Exponent = e });
            return rsa.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, alg == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            // A point off the curve, coordinates of the wrong length, a modulus the platform will not take.
            return false;
        }
    }

    private static string? Text(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static bool TryDecode(string? segment, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrEmpty(segment) || segment.AsSpan().ContainsAnyExcept(Base64UrlAlphabet))
        {
            return false;
        }

        try
        {
            bytes = Base64Url.DecodeFromChars(segment);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool TryDecodeObject(string segment, out JsonObject json)
    {
        json = [];
        if (!TryDecode(segment, out var bytes))
        {
            return false;
        }

        try
        {
            if (JsonNode.Parse(bytes, documentOptions: Strict) is not JsonObject parsed)
            {
                return false;
            }

            json = parsed;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
