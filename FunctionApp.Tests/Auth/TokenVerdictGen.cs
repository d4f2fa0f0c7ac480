using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CsCheck;
using FunctionApp.TestHost.Issuer;

namespace FunctionApp.Tests.Auth;

/// <summary>Who signed a generated token, and how.</summary>
public enum TokenSigner
{
    /// <summary>The tenant's key, by the RSA algorithm the header names (RS256 for a name that is none).</summary>
    Tenant,

    /// <summary>The tenant's signature with one bit flipped.</summary>
    TenantCorrupted,

    /// <summary>An RSA key the tenant never published.</summary>
    Stranger,

    /// <summary>An EC key nobody published, for ES256.</summary>
    StrangerEc,

    /// <summary>HMAC-SHA256 keyed with the tenant's public modulus, as in the key-confusion attack.</summary>
    PublicKeyHmac,

    /// <summary>No signature at all, for alg none.</summary>
    NoSignature,
}

/// <summary>
/// What the tenant's settings and RFC 7519 and 7515 require of a bearer token, written from them and not from the
/// validator: the rules a token breaks, none when it must be verified.
/// </summary>
/// <param name="Issuer">The configured issuer (Auth0__Issuer, or https://{domain}/).</param>
/// <param name="Audience">The configured API identifier (Auth0__ApiAudience).</param>
/// <param name="KeyId">The kid of the tenant's published signing key.</param>
/// <param name="KeyAlgorithm">The alg that key's JWK states, if any.</param>
/// <param name="Algorithms">Auth0__Algorithms.</param>
/// <param name="ClockSkew">Auth0__ClockSkewSeconds.</param>
/// <param name="Now">The time the token is checked at.</param>
public sealed record TenantRules(
    string Issuer, string Audience, string KeyId, string? KeyAlgorithm, IReadOnlyList<string> Algorithms, TimeSpan ClockSkew, DateTimeOffset Now)
{
    /// <summary>The rules the token with this header and payload, signed by <paramref name="signer"/>, breaks.</summary>
    public IReadOnlyList<string> Broken(string headerJson, string payloadJson, TokenSigner signer)
    {
        ArgumentNullException.ThrowIfNull(headerJson);
        ArgumentNullException.ThrowIfNull(payloadJson);
        using var headerDocument = JsonDocument.Parse(headerJson);
        using var payloadDocument = JsonDocument.Parse(payloadJson);
        var header = headerDocument.RootElement;
        var payload = payloadDocument.RootElement;
        var now = Now.ToUnixTimeMilliseconds() / 1000.0;
        var skew = ClockSkew.TotalSeconds;
        var broken = new List<string>();

        // RFC 7515 4.1.1: alg is a case-sensitive string; the settings list the ones accepted.
        if (String(header, "alg") is not { } alg || !Algorithms.Contains(alg, StringComparer.Ordinal))
        {
            broken.Add("alg");
        }

        // RFC 7517 4.4: a key whose JWK states an alg is for that alg alone.
        if (KeyAlgorithm is not null && String(header, "alg") != KeyAlgorithm)
        {
            broken.Add("key alg");
        }

        // RFC 7515 4.1.11: crit names extensions the recipient must understand, and this one understands none.
        if (header.TryGetProperty("crit", out _))
        {
            broken.Add("crit");
        }

        // The keys are the tenant's JWKS only (never jku, x5u or jwk): the kid must name its key.
        if (String(header, "kid") != KeyId)
        {
            broken.Add("kid");
        }

        if (signer != TokenSigner.Tenant)
        {
            broken.Add("signature");
        }

        // RFC 7519 4.1.1: iss is a case-sensitive string, compared exactly with the configured issuer.
        if (String(payload, "iss") != Issuer)
        {
            broken.Add("iss");
        }

        // RFC 7519 4.1.3: aud is one case-sensitive string or an array of them, and one must be the API's identifier.
        if (!payload.TryGetProperty("aud", out var aud) || !NamesAudience(aud))
        {
            broken.Add("aud");
        }

        // RFC 7519 4.1.4, and required here: the current time must be before exp, give or take the clock skew.
        if (Number(payload, "exp") is not { } exp || !(now < exp + skew))
        {
            broken.Add("exp");
        }

        // RFC 7519 4.1.5: from nbf on, give or take the skew; and, as the sample's PyJWT rules, never issued in the future.
        foreach (var name in new[] { "nbf", "iat" })
        {
            if (payload.TryGetProperty(name, out _) && (Number(payload, name) is not { } date || !(now >= date - skew)))
            {
                broken.Add(name);
            }
        }

        // RFC 9449 7.1: a token bound to a key (cnf, RFC 7800) is not a bearer token.
        if (payload.TryGetProperty("cnf", out var cnf) && cnf.ValueKind != JsonValueKind.Null)
        {
            broken.Add("cnf");
        }

        return broken;
    }

    private bool NamesAudience(JsonElement aud) => aud.ValueKind switch
    {
        JsonValueKind.String => aud.GetString() == Audience,
        JsonValueKind.Array => aud.EnumerateArray().All(a => a.ValueKind == JsonValueKind.String)
            && aud.EnumerateArray().Any(a => a.GetString() == Audience),
        _ => false,
    };

    private static string? String(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // RFC 7519 2: a NumericDate is a JSON number of seconds.
    private static double? Number(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}

/// <summary>One generated token, how it was made, and the rules <see cref="TenantRules"/> finds it breaks.</summary>
public sealed record VerdictCase(string Recipe, string Token, IReadOnlyList<string> Broken)
{
    public bool MustVerify => Broken.Count == 0;

    public override string ToString() =>
        $"{Recipe}\n  breaks: {(MustVerify ? "nothing" : string.Join(", ", Broken))}\n  token: {Token}";
}

/// <summary>
/// Tokens of one tenant whose header members and claims are each drawn near the edges of its rule (exact and
/// case-changed issuers and audiences, dates on either side of the clock skew, allowed and refused algorithms, crit,
/// kid, bindings) or from the values that are plainly right, most signed with the tenant's real key. Each case carries
/// the verdict <see cref="TenantRules"/> gives it.
/// </summary>
public sealed class TokenVerdictGen : IDisposable
{
    private static readonly string[] RsaAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];

    private readonly RSA _tenantKey;
    private readonly RSA _stranger = RSA.Create(2048);
    private readonly ECDsa _strangerEc = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly byte[] _modulus;
    private readonly TenantRules _rules;
    // Shrinking draws the same cases again; an RSA signature costs a millisecond or two, so each input is signed once.
    private readonly ConcurrentDictionary<(string Input, string Algorithm, TokenSigner Signer), string> _signatures = new();

    public TokenVerdictGen(LocalIssuer issuer, TenantRules rules)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(rules);
        _tenantKey = issuer.SigningKey.Rsa;
        _modulus = _tenantKey.ExportParameters(includePrivateParameters: false).Modulus!;
        _rules = rules;
        Cases = Build();
    }

    public Gen<VerdictCase> Cases { get; }

    public void Dispose()
    {
        _stranger.Dispose();
        _strangerEc.Dispose();
    }

    private Gen<VerdictCase> Build()
    {
        var header = Gen.Select(Algorithm(), KeyId(), Critical(), Ignored(), (alg, kid, crit, ignored) => (alg, Members: new[] { alg.Member, kid, crit, ignored }));
        var payload = Gen.Select(Issuer(), Audience(), Date("exp", Expiry()), Date("nbf", NotBefore()), Date("iat", IssuedAt()), Binding(),
            (iss, aud, exp, nbf, iat, cnf) => new[] { iss, aud, exp, nbf, iat, cnf });
        return Gen.Select(header, payload, Signer(), (h, p, signerChoice) =>
        {
            var headerJson = Json(h.Members);
            var payloadJson = Json([.. p, (Recipe: "", Json: "\"sub\":\"verdict@clients\""), (Recipe: "", Json: "\"scope\":\"read:messages\"")]);
            var signer = h.alg.Signer ?? signerChoice;
            var recipe = string.Join("; ", h.Members.Concat(p).Select(m => m.Recipe).Where(r => r.Length > 0).Append("signed by " + signer));
            return new VerdictCase(recipe, Sign(headerJson, payloadJson, h.alg.Name, signer), _rules.Broken(headerJson, payloadJson, signer));
        });
    }

    // The alg, and the signer it forces when no RSA key can sign by it.
    private static Gen<(string Name, (string Recipe, string Json) Member, TokenSigner? Signer)> Algorithm()
    {
        static (string, (string, string), TokenSigner?) Named(string name, TokenSigner? signer = null) =>
            (name, (name == "RS256" ? "" : $"alg {Quote(name)}", $"\"alg\":{Quote(name)}"), signer);
        return Gen.Frequency(
            (30, Gen.Const(Named("RS256"))),
            (8, Gen.Const(Named("PS256"))),
            (2, Gen.OneOf("RS384", "RS512", "PS384", "PS512").Select(n => Named(n))),
            (1, Gen.OneOf("rs256", "RS256 ", "", "Rs256").Select(n => Named(n))),
            (1, Gen.OneOf(
                Gen.Const(Named("ES256", TokenSigner.StrangerEc)),
                Gen.Const(Named("HS256", TokenSigner.PublicKeyHmac)),
                Gen.Const(Named("none", TokenSigner.NoSignature)),
                Gen.Const<(string, (string, string), TokenSigner?)>(("RS256", ("alg a number", "\"alg\":256"), null)))));
    }

    private Gen<(string Recipe, string Json)> KeyId() => Gen.Frequency(
        (30, Gen.Const(("", $"\"kid\":{Quote(_rules.KeyId)}"))),
        (1, Gen.OneOf(
            Gen.Const(("kid unknown", "\"kid\":\"unknown-kid\"")),
            Gen.Const(("kid in capitals", $"\"kid\":{Quote(_rules.KeyId.ToUpperInvariant())}")),
            Gen.Const(("no kid", "")))));

    private static Gen<(string Recipe, string Json)> Critical() => Gen.Frequency(
        (30, Gen.Const(("", ""))),
        (1, Gen.OneOf(
            Gen.Const(("crit [exp]", "\"crit\":[\"exp\"],\"exp\":4102444800")),
            Gen.Const(("crit []", "\"crit\":[]")))));

    // Header members a recipient must never take keys from or otherwise heed here: they change nothing.
    private static Gen<(string Recipe, string Json)> Ignored() => Gen.Frequency(
        (6, Gen.Const(("", "\"typ\":\"JWT\""))),
        (1, Gen.OneOf(
            Gen.Const(("typ at+jwt", "\"typ\":\"at+jwt\"")),
            Gen.Const(("no typ", "")),
            Gen.Const(("jku of an attacker", "\"jku\":\"https://attacker.example/jwks.json\"")),
            Gen.Const(("x5u of an attacker", "\"x5u\":\"https://attacker.example/cert.pem\"")))));

    private Gen<(string Recipe, string Json)> Issuer() => Gen.Frequency(
        (40, Gen.Const(("", $"\"iss\":{Quote(_rules.Issuer)}"))),
        (1, Gen.OneOf(
            Gen.Const(("iss in capitals", $"\"iss\":{Quote(_rules.Issuer.ToUpperInvariant())}")),
            Gen.Const(("iss without its slash", $"\"iss\":{Quote(_rules.Issuer.TrimEnd('/'))}")),
            Gen.Const(("iss of an attacker", "\"iss\":\"https://attacker.example/\"")),
            Gen.Const(("iss empty", "\"iss\":\"\"")),
            Gen.Const(("iss null", "\"iss\":null")),
            Gen.Const(("no iss", "")))));

    private Gen<(string Recipe, string Json)> Audience()
    {
        var audience = Quote(_rules.Audience);
        return Gen.Frequency(
            (30, Gen.Const(("", $"\"aud\":{audience}"))),
            (10, Gen.Const(("aud an array with ours", $"\"aud\":[\"https://other.test/\",{audience}]"))),
            (2, Gen.OneOf(
                Gen.Const(("aud in capitals", $"\"aud\":{Quote(_rules.Audience.ToUpperInvariant())}")),
                Gen.Const(("aud in capitals in an array", $"\"aud\":[{Quote(_rules.Audience.ToUpperInvariant())}]")),
                Gen.Const(("aud with a trailing slash", $"\"aud\":{Quote(_rules.Audience + "/")}")),
                Gen.Const(("aud another", "\"aud\":\"https://other.test/\"")),
                Gen.Const(("aud an array without ours", "\"aud\":[\"https://other.test/\"]")),
                Gen.Const(("aud an empty array", "\"aud\":[]")),
                Gen.Const(("aud ours and a number", $"\"aud\":[{audience},1]")),
                Gen.Const(("aud null", "\"aud\":null")),
                Gen.Const(("no aud", "")))));
    }

    // Offsets in seconds from the whole second before now; the fraction makes some dates fall between whole seconds.
    private static Gen<double> Near => Gen.Select(Gen.Int[-45, 45], Gen.Frequency((6, Gen.Const(0.0)), (1, Gen.Const(0.25)), (1, Gen.Const(0.75))), (d, f) => d + f);

    private const int Year = 365 * 86_400;

    private static Gen<double?> Expiry() => Gen.Frequency(
        (10, Near.Select(d => (double?)d)),
        (4, Gen.Int[46, 86_400].Select(d => (double?)d)),
        (1, Gen.Int[1, 20].Select(years => (double?)(years * Year))),
        (1, Gen.Int[-9 * Year, -46].Select(d => (double?)d)),
        (1, Gen.Const((double?)null)));

    private static Gen<double?> NotBefore() => Gen.Frequency(
        (8, Gen.Const((double?)null)),
        (4, Near.Select(d => (double?)d)),
        (1, Gen.Int[46, 9 * Year].Select(d => (double?)d)),
        (1, Gen.Int[-9 * Year, -46].Select(d => (double?)d)));

    private static Gen<double?> IssuedAt() => Gen.Frequency(
        (2, Gen.Const((double?)null)),
        (6, Gen.Int[-86_400, 0].Select(d => (double?)d)),
        (4, Near.Select(d => (double?)d)),
        (1, Gen.Int[46, 9 * Year].Select(d => (double?)d)));

    // A NumericDate at an offset from the whole second before now (absent when null), or, now and then, not a number.
    private Gen<(string Recipe, string Json)> Date(string name, Gen<double?> offsets)
    {
        var whole = _rules.Now.ToUnixTimeSeconds();
        var number = offsets.Select(d => d is { } offset
            ? ($"{name} {offset.ToString("+0.##;-0.##", CultureInfo.InvariantCulture)} s", $"\"{name}\":{Format(whole + offset)}")
            : ($"no {name}", ""));
        var notANumber = Gen.OneOf(
            Gen.Const(($"{name} a string", $"\"{name}\":\"{Format(whole + 3600)}\"")),
            Gen.Const(($"{name} null", $"\"{name}\":null")),
            Gen.Const(($"{name} true", $"\"{name}\":true")));
        return Gen.Frequency((40, number), (1, notANumber));
    }

    private static Gen<(string Recipe, string Json)> Binding() => Gen.Frequency(
        (30, Gen.Const(("", ""))),
        (1, Gen.OneOf(
            Gen.Const(("cnf null", "\"cnf\":null")),
            Gen.Const(("cnf jkt", "\"cnf\":{\"jkt\":\"NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs\"}")),
            Gen.Const(("cnf x5t#S256", "\"cnf\":{\"x5t#S256\":\"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2\"}")))));

    private static Gen<TokenSigner> Signer() => Gen.Frequency(
        (30, Gen.Const(TokenSigner.Tenant)),
        (1, Gen.OneOf(Gen.Const(TokenSigner.Stranger), Gen.Const(TokenSigner.TenantCorrupted))));

    private string Sign(string headerJson, string payloadJson, string alg, TokenSigner signer)
    {
        var input = $"{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(headerJson))}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payloadJson))}";
        var algorithm = RsaAlgorithms.Contains(alg, StringComparer.Ordinal) ? alg : "RS256";
        var signature = _signatures.GetOrAdd((input, algorithm, signer), key => Base64Url.EncodeToString(SignatureOf(Encoding.ASCII.GetBytes(key.Input), key.Algorithm, key.Signer)));
        return $"{input}.{signature}";
    }

    private byte[] SignatureOf(byte[] input, string algorithm, TokenSigner signer)
    {
        var hash = algorithm[2..] switch { "384" => HashAlgorithmName.SHA384, "512" => HashAlgorithmName.SHA512, _ => HashAlgorithmName.SHA256 };
        var padding = algorithm.StartsWith("PS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        switch (signer)
        {
            case TokenSigner.Tenant:
                return _tenantKey.SignData(input, hash, padding);
            case TokenSigner.TenantCorrupted:
                var signature = _tenantKey.SignData(input, hash, padding);
                signature[^1] ^= 1;
                return signature;
            case TokenSigner.Stranger:
                return _stranger.SignData(input, hash, padding);
            case TokenSigner.StrangerEc:
                return _strangerEc.SignData(input, HashAlgorithmName.SHA256);
            case TokenSigner.PublicKeyHmac:
                return HMACSHA256.HashData(_modulus, input);
            default:
                return [];
        }
    }

    private static string Json(IEnumerable<(string Recipe, string Json)> members) =>
        "{" + string.Join(',', members.Select(m => m.Json).Where(j => j.Length > 0)) + "}";

    private static string Format(double seconds) => seconds.ToString("R", CultureInfo.InvariantCulture);

    private static string Quote(string text) => JsonSerializer.Serialize(text);
}
