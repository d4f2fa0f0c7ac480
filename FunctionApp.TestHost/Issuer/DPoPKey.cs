using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FunctionApp.TestHost.Issuer;

/// <summary>A client's DPoP key pair (RFC 9449): makes the proofs that go with its requests, well-formed or hostile.</summary>
public sealed class DPoPKey : IDisposable
{
    private static readonly string[] RsaAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];

    /// <summary>Writes the + of dpop+jwt as itself, as JWT libraries do, where the default encoder writes \u002B.</summary>
    private static readonly JsonSerializerOptions ProofJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ECDsa? _ecdsa;
    private readonly RSA? _rsa;

    private DPoPKey(ECDsa? ecdsa, RSA? rsa, string algorithm)
    {
        _ecdsa = ecdsa;
        _rsa = rsa;
        Algorithm = algorithm;
        Thumbprint = JwkThumbprint.Of(PublicJwk());
    }

    /// <summary>The JWS algorithm its proofs are signed by, unless a header names another it can do.</summary>
    public string Algorithm { get; }

    /// <summary>The RFC 7638 thumbprint of its public key: the cnf.jkt of the tokens bound to it.</summary>
    public string Thumbprint { get; }

    public static DPoPKey CreateEs256() => CreateEcdsa("ES256");

    /// <summary>A new key on the curve <paramref name="algorithm"/> (ES256, ES384 or ES512) signs with.</summary>
    public static DPoPKey CreateEcdsa(string algorithm) => new(ECDsa.Create(CurveOf(algorithm).Curve), null, algorithm);

    /// <summary>A new 2048-bit RSA key that signs by <paramref name="algorithm"/> (RS256 and the like, PS256 and the like).</summary>
    public static DPoPKey CreateRsa(string algorithm = "PS256")
    {
        if (!RsaAlgorithms.Contains(algorithm))
        {
            throw new ArgumentException($"Not an RSA algorithm: {algorithm}", nameof(algorithm));
        }

        return new(null, RSA.Create(2048), algorithm);
    }

    /// <summary>A key saved by <see cref="Save"/>.</summary>
    public static DPoPKey Load(string path)
    {
        var jwk = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path} holds no JWK.");
        var algorithm = Member(jwk, "alg");
        if (Member(jwk, "kty") == "RSA")
        {
            var n = Bytes(jwk, "n");
            var half = (n.Length + 1) / 2;
            // Stored in the fewest octets, as a JWK holds them; imported at the lengths the modulus implies.
            return new(null, RSA.Create(new RSAParameters
            {
                Modulus = n,
                Exponent = Bytes(jwk, "e"),
                D = LeftPadded(Bytes(jwk, "d"), n.Length),
                P = LeftPadded(Bytes(jwk, "p"), half),
                Q = LeftPadded(Bytes(jwk, "q"), half),
                DP = LeftPadded(Bytes(jwk, "dp"), half),
                DQ = LeftPadded(Bytes(jwk, "dq"), half),
                InverseQ = LeftPadded(Bytes(jwk, "qi"), half),
            }), algorithm);
        }

        var (curve, crv) = CurveOf(algorithm);
        if (Member(jwk, "crv") != crv)
        {
            throw new InvalidDataException($"{path} holds a {Member(jwk, "crv")} key, not one for {algorithm}.");
        }

        return new(ECDsa.Create(new ECParameters
        {
            Curve = curve,
            Q = new ECPoint { X = Bytes(jwk, "x"), Y = Bytes(jwk, "y") },
            D = Bytes(jwk, "d"),
        }), null, algorithm);
    }

    /// <summary>Its public key as a JWK: a new object each call, EC coordinates at the curve's full length.</summary>
    public JsonObject PublicJwk() => Jwk(includePrivate: false);

    /// <summary>The same with the private members: what a careless client might send in a proof.</summary>
    public JsonObject PrivateJwk() => Jwk(includePrivate: true);

    public JsonObject NewProofHeader() => new() { ["typ"] = "dpop+jwt", ["alg"] = Algorithm, ["jwk"] = PublicJwk() };

    /// <summary>
    /// The claims of a proof for a request of <paramref name="htm"/> to <paramref name="htu"/>, issued now; with an
    /// access token, its hash (ath), and with the nonce the server asked for.
    /// </summary>
    public JsonObject NewProofPayload(string htm, string htu, string? accessToken = null, string? nonce = null)
    {
        var payload = new JsonObject
        {
            ["jti"] = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
            ["htm"] = htm,
            ["htu"] = htu,
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        };
        if (accessToken is not null)
        {
            payload["ath"] = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));
        }

        if (nonce is not null)
        {
            payload["nonce"] = nonce;
        }

        return payload;
    }

    /// <summary>
    /// Signs by the algorithm the header names if this key can do it, else by <see cref="Algorithm"/>: a header that
    /// names another algorithm still gets a signature, for the verifier to refuse.
    /// </summary>
    public string Sign(JsonObject header, JsonObject payload)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(payload);
        var named = header["alg"] is JsonValue alg && alg.TryGetValue<string>(out var text) ? text : null;
        var algorithm = named is not null && CanSign(named) ? named : Algorithm;
        return CompactJws.Encode(header.ToJsonString(ProofJson), payload.ToJsonString(ProofJson), input => SignData(algorithm, input));
    }

    /// <summary>Signs header and payload JSON text exactly as given (duplicate members, anything) by <see cref="Algorithm"/>.</summary>
    public string SignText(string headerJson, string payloadJson) =>
        CompactJws.Encode(headerJson, payloadJson, input => SignData(Algorithm, input));

    /// <summary>A well-formed proof for one request.</summary>
    public string CreateProof(string htm, string htu, string? accessToken = null, string? nonce = null) =>
        Sign(NewProofHeader(), NewProofPayload(htm, htu, accessToken, nonce));

    /// <summary>Writes the private JWK with its alg, readable by its owner only (on Unix).</summary>
    public void Save(string path)
    {
        var jwk = PrivateJwk();
        jwk["alg"] = Algorithm;
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var file = new FileStream(path, options);
        // An existing file keeps its mode when it is overwritten; it is narrowed before the key is written to it.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        file.Write(Encoding.UTF8.GetBytes(jwk.ToJsonString()));
    }

    public void Dispose()
    {
        _ecdsa?.Dispose();
        _rsa?.Dispose();
    }

    private static (ECCurve Curve, string Crv) CurveOf(string algorithm) => algorithm switch
    {
        "ES256" => (ECCurve.NamedCurves.nistP256, "P-256"),
        "ES384" => (ECCurve.NamedCurves.nistP384, "P-384"),
        "ES512" => (ECCurve.NamedCurves.nistP521, "P-521"),
        _ => throw new ArgumentException($"Not an ECDSA algorithm: {algorithm}", nameof(algorithm)),
    };

    private static HashAlgorithmName HashOf(string algorithm) => algorithm[2..] switch
    {
        "256" => HashAlgorithmName.SHA256,
        "384" => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    private static string Member(JsonObject jwk, string name) =>
        jwk[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : throw new InvalidDataException($"The JWK has no {name}.");

    private static byte[] Bytes(JsonObject jwk, string name) => Base64Url.DecodeFromChars(Member(jwk, name));

    private static byte[] LeftPadded(byte[] value, int length)
    {
        if (value.Length >= length)
        {
            return value;
        }

        var padded = new byte[length];
        value.CopyTo(padded, length - value.Length);
        return padded;
    }

    /// <summary>A big-endian unsigned integer in the fewest octets, as a JWK's RSA members hold it (RFC 7518 2, Base64urlUInt).</summary>
    private static string Minimal(byte[] value)
    {
        var start = value.AsSpan().IndexOfAnyExcept((byte)0);
        return Base64Url.EncodeToString(start > 0 ? value.AsSpan(start) : value);
    }

    private bool CanSign(string algorithm) =>
        _rsa is not null ? RsaAlgorithms.Contains(algorithm) : algorithm == Algorithm;

    private byte[] SignData(string algorithm, byte[] input) => _rsa is not null
        ? _rsa.SignData(input, HashOf(algorithm), algorithm.StartsWith("PS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1)
        : _ecdsa!.SignData(input, HashOf(algorithm));

    private JsonObject Jwk(bool includePrivate)
    {
        if (_rsa is not null)
        {
            var rsa = _rsa.ExportParameters(includePrivate);
            var jwk = new JsonObject { ["kty"] = "RSA", ["n"] = Minimal(rsa.Modulus!), ["e"] = Minimal(rsa.Exponent!) };
            if (includePrivate)
            {
                jwk["d"] = Minimal(rsa.D!);
                jwk["p"] = Minimal(rsa.P!);
                jwk["q"] = Minimal(rsa.Q!);
                jwk["dp"] = Minimal(rsa.DP!);
                jwk["dq"] = Minimal(rsa.DQ!);
                jwk["qi"] = Minimal(rsa.InverseQ!);
            }

            return jwk;
        }

        var ec = _ecdsa!.ExportParameters(includePrivate);
        // RFC 7518 6.2.1: coordinates and d are the full length of the curve's field, leading zeros kept.
        var size = (_ecdsa.KeySize + 7) / 8;
        var key = new JsonObject
        {
            ["kty"] = "EC",
            ["crv"] = CurveOf(Algorithm).Crv,
            ["x"] = Base64Url.EncodeToString(LeftPadded(ec.Q.X!, size)),
            ["y"] = Base64Url.EncodeToString(LeftPadded(ec.Q.Y!, size)),
        };
        if (includePrivate)
        {
            key["d"] = Base64Url.EncodeToString(LeftPadded(ec.D!, size));
        }

        return key;
    }
}
