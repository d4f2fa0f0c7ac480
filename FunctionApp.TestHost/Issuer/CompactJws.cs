using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Buffers.Text;

namespace FunctionApp.TestHost.Issuer;

/// <summary>Builds compact JWS strings by hand, so tests can make any token, well-formed or hostile.</summary>
public static class CompactJws
{
    /// <summary>Encodes header and payload and appends the signature <paramref name="sign"/> makes over them.</summary>
    public static string Encode(JsonObject header, JsonObject payload, Func<byte[], byte[]> sign)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(payload);
        return Encode(header.ToJsonString(), payload.ToJsonString(), sign);
    }

    /// <summary>The same from JSON text as given, which need not be valid JSON: for tokens whose parts are hostile.</summary>
    public static string Encode(string headerJson, string payloadJson, Func<byte[], byte[]> sign) =>
        Encode(Encoding.UTF8.GetBytes(headerJson), Encoding.UTF8.GetBytes(payloadJson), sign);

    /// <summary>The same from bytes as given, which need not be UTF-8: for parts no string can hold.</summary>
    public static string Encode(byte[] header, byte[] payload, Func<byte[], byte[]> sign)
    {
        ArgumentNullException.ThrowIfNull(sign);
        var signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(payload);
        return signingInput + "." + Base64Url.EncodeToString(sign(Encoding.ASCII.GetBytes(signingInput)));
    }

    /// <summary>Signs with <paramref name="key"/> by the RSA algorithm the header names (RS256 and the like, PS256 and the like).</summary>
    public static string SignRsa(JsonObject header, JsonObject payload, RSA key)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(payload);
        return SignRsa(header.ToJsonString(), payload.ToJsonString(), (string?)header["alg"] ?? "RS256", key);
    }

    /// <summary>Signs JSON text as given with <paramref name="key"/> by the RSA algorithm <paramref name="alg"/>.</summary>
    public static string SignRsa(string headerJson, string payloadJson, string alg, RSA key)
    {
        ArgumentNullException.ThrowIfNull(alg);
        ArgumentNullException.ThrowIfNull(key);
        var hash = alg[2..] switch
        {
            "256" => HashAlgorithmName.SHA256,
            "384" => HashAlgorithmName.SHA384,
            "512" => HashAlgorithmName.SHA512,
            _ => throw new ArgumentException($"Not an RSA algorithm: {alg}", nameof(alg)),
        };
        var padding = alg.StartsWith("PS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        return Encode(headerJson, payloadJson, input => key.SignData(input, hash, padding));
    }
}
