using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FunctionApp.TestHost.Issuer;

namespace FunctionApp.Tests.Support;

/// <summary>
/// The catalogue of hostile (and borderline) Authorization headers, each with the answer the app must give.
/// docs/security.md shows the same table; a test keeps the two in step.
/// </summary>
public static class HostileInputs
{
    public const string NotAuthenticated = "Not authenticated";
    public const string InvalidCredentials = "Invalid authentication credentials";

    /// <summary>One case: the Authorization header values to send (null: none), the status and the reason expected.</summary>
    public sealed record HostileInput(string Name, Func<LocalIssuer, string[]?> Authorization, int Status, string Reason);

    // One key for every case that needs an attacker's: generating RSA keys is slow.
    private static readonly Lazy<IssuerKey> Attacker = new(() => new IssuerKey("attacker"));

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static IReadOnlyList<HostileInput> All { get; } =
    [
        // The header itself.
        new("no Authorization header", _ => null, 403, NotAuthenticated),
        new("empty header", _ => [""], 403, NotAuthenticated),
        new("Bearer with no token", _ => ["Bearer"], 403, NotAuthenticated),
        new("a token with no scheme", i => [i.CreateToken()], 403, NotAuthenticated),
        new("Basic credentials", _ => ["Basic dXNlcjpwYXNz"], 403, InvalidCredentials),
        new("Digest credentials", _ => ["Digest username=\"admin\""], 403, InvalidCredentials),
        new("lowercase bearer", i => ["bearer " + i.CreateToken()], 200, ""),
        new("extra spaces after Bearer", i => ["Bearer    " + i.CreateToken()], 200, ""),
        // RFC 7235 2.1 and RFC 6750 2.1 separate scheme and token by spaces (SP) only, as the sample's parser does.
        new("a TAB instead of a space after Bearer", i => ["Bearer\t" + i.CreateToken()], 403, NotAuthenticated),
        new("a space then a TAB after Bearer", i => ["Bearer \t" + i.CreateToken()], 400, "Malformed token"),
        new("two Authorization headers", i => ["Bearer " + i.CreateToken(), "Bearer " + i.CreateToken()], 400, "Malformed token"),
        new("non-ASCII bytes", _ => ["Bearer eyJ\u00e9\u00e8.e30.c2ln"], 400, "Malformed token"),

        // The token's shape.
        new("garbage", _ => ["Bearer garbage"], 400, "Malformed token"),
        new("two segments", i => ["Bearer " + Segments(i.CreateToken(), 2)], 400, "Malformed token"),
        new("four segments", i => ["Bearer " + i.CreateToken() + ".c2ln"], 400, "Malformed token"),
        new("five segments (JWE)", _ => ["Bearer eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a2V5.aXY.Y2lwaGVy.dGFn"], 400, "Malformed token"),
        new("signature stripped", i => ["Bearer " + Segments(i.CreateToken(), 2) + "."], 400, "Invalid signature"),
        new("payload tampered", i => ["Bearer " + Replace(i.CreateToken(), 1, Forged(i, p => p["sub"] = "admin@clients"))], 400, "Invalid signature"),
        new("header tampered", i => ["Bearer " + Replace(i.CreateToken(), 0, Encode(Header(i, h => h["typ"] = "at+jwt")))], 400, "Invalid signature"),
        new("base64 padding", i => ["Bearer " + i.CreateToken() + "=="], 400, "Malformed token"),
        new("invalid base64url characters", i => ["Bearer " + i.CreateToken().Replace('-', '+').Replace('_', '/') + "+/"], 400, "Malformed token"),
        new("header not JSON", _ => ["Bearer bm90IGpzb24.e30.c2ln"], 400, "Malformed token"),
        new("payload not an object", i => ["Bearer " + Encode(i.NewHeader()) + ".WzFd.c2ln"], 400, "Malformed token"),
        new("empty payload and signature", _ => ["Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ.."], 400, "Malformed token"),
        new("empty payload", _ => ["Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ..eA"], 400, "Malformed token"),
        new("empty JOSE header segment", i => ["Bearer ." + i.CreateToken().Split('.')[1] + ".c2ln"], 400, "Malformed token"),

        // The JSON of header and payload: exactly one object, each member once, as every parser must read it the same.
        new("payload with trailing bytes", i => ["Bearer " + i.SignText(HeaderText(i), PayloadText(i) + "xyz")], 400, "Malformed token"),
        new("payload of two objects", i => ["Bearer " + i.SignText(HeaderText(i), PayloadText(i) + "{\"scope\":\"admin:all\"}")], 400, "Malformed token"),
        new("header with trailing bytes", i => ["Bearer " + i.SignText(HeaderText(i) + "{}", PayloadText(i))], 400, "Malformed token"),
        new("iss twice", i => ["Bearer " + i.SignText(HeaderText(i), Twice(PayloadText(i), "iss", "\"https://attacker.example/\""))], 400, "Malformed token"),
        new("aud twice", i => ["Bearer " + i.SignText(HeaderText(i), Twice(PayloadText(i), "aud", "\"https://other.test/\""))], 400, "Malformed token"),
        new("exp twice", i => ["Bearer " + i.SignText(HeaderText(i), Twice(PayloadText(i), "exp", "1"))], 400, "Malformed token"),
        new("iss twice, one name escaped", i => ["Bearer " + i.SignText(HeaderText(i), PayloadText(i).TrimEnd('}') + ",\"\\u0069ss\":\"https://attacker.example/\"}")], 400, "Malformed token"),
        new("alg twice", i => ["Bearer " + i.SignText(Twice(HeaderText(i), "alg", "\"none\""), PayloadText(i))], 400, "Malformed token"),
        new("kid twice", i => ["Bearer " + i.SignText(Twice(HeaderText(i), "kid", "\"other\""), PayloadText(i))], 400, "Malformed token"),
        new("a lone surrogate in a claim", i => ["Bearer " + i.SignText(HeaderText(i), PayloadText(i).TrimEnd('}') + ",\"name\":\"\\ud800\"}")], 400, "Malformed token"),
        new("claims nested 40 deep", i => ["Bearer " + Signed(i, p => p["deep"] = Nested(40))], 400, "Malformed token"),
        new("exp beyond any date", i => ["Bearer " + i.SignText(HeaderText(i), Twice(PayloadText(i).Replace("\"exp\":", "\"was\":", StringComparison.Ordinal), "exp", "1e400"))], 400, "Malformed token"),

        // The algorithm.
        new("alg none", i => ["Bearer " + Unsigned(i, "none")], 400, "Algorithm not allowed"),
        new("alg None", i => ["Bearer " + Unsigned(i, "None")], 400, "Algorithm not allowed"),
        new("alg NONE", i => ["Bearer " + Unsigned(i, "NONE")], 400, "Algorithm not allowed"),
        new("HS256 signed with the RSA public key", i => ["Bearer " + HmacWithPublicKey(i)], 400, "Algorithm not allowed"),
        new("RS384 when only RS256 is allowed", i => ["Bearer " + i.Sign(Header(i, h => h["alg"] = "RS384"), i.NewPayload())], 400, "Algorithm not allowed"),
        new("RS512 when only RS256 is allowed", i => ["Bearer " + i.Sign(Header(i, h => h["alg"] = "RS512"), i.NewPayload())], 400, "Algorithm not allowed"),
        new("PS256 when only RS256 is allowed", i => ["Bearer " + i.Sign(Header(i, h => h["alg"] = "PS256"), i.NewPayload())], 400, "Algorithm not allowed"),
        new("ES256 when only RS256 is allowed", i => ["Bearer " + EcdsaSigned(i)], 400, "Algorithm not allowed"),

        // Keys the token points at.
        new("jku pointing at an attacker's JWKS", i => ["Bearer " + AttackerSigned(i, h => h["jku"] = "https://attacker.example/jwks.json")], 400, "Invalid signature"),
        new("x5u pointing at an attacker's certificate", i => ["Bearer " + AttackerSigned(i, h => h["x5u"] = "https://attacker.example/cert.pem")], 400, "Invalid signature"),
        new("embedded jwk of an attacker's key", i => ["Bearer " + AttackerSigned(i, h => h["jwk"] = AttackerJwk())], 400, "Invalid signature"),
        new("kid with path traversal", i => ["Bearer " + i.Sign(Header(i, h => h["kid"] = "../../../../etc/passwd"), i.NewPayload())], 400, "No signing key matches the token"),
        new("kid with SQL-ish text", i => ["Bearer " + i.Sign(Header(i, h => h["kid"] = "' OR '1'='1' --"), i.NewPayload())], 400, "No signing key matches the token"),
        new("no kid", i => ["Bearer " + i.Sign(Header(i, h => h.Remove("kid")), i.NewPayload())], 400, "No signing key matches the token"),
        new("kid that is a number", i => ["Bearer " + i.Sign(Header(i, h => h["kid"] = 1), i.NewPayload())], 400, "Malformed token"),
        new("kid with control and bidi characters", i => ["Bearer " + i.Sign(Header(i, h => h["kid"] = "x\r\n\u001b[31mFAKE\u0000\u202e"), i.NewPayload())], 400, "No signing key matches the token"),
        new("alg that is a number", i => ["Bearer " + i.SignText(Header(i, h => h["alg"] = 256).ToJsonString(), PayloadText(i))], 400, "Malformed token"),
        new("unknown crit header", i => ["Bearer " + i.Sign(Header(i, h => h["crit"] = new JsonArray("exp-policy")), i.NewPayload())], 400, "Unsupported critical header"),

        // The claims.
        new("missing exp", i => ["Bearer " + Signed(i, p => p.Remove("exp"))], 400, "Token has no expiry"),
        new("exp as a string", i => ["Bearer " + Signed(i, p => p["exp"] = (Now + 3600).ToString(System.Globalization.CultureInfo.InvariantCulture))], 400, "Malformed token"),
        new("exp far in the past", i => ["Bearer " + Signed(i, p => (p["iat"], p["exp"]) = (Now - 86400 * 365, Now - 86400 * 364))], 400, "Token has expired"),
        new("exp just past, beyond the clock skew", i => ["Bearer " + Signed(i, p => p["exp"] = Now - 60)], 400, "Token has expired"),
        new("exp just past, within the clock skew", i => ["Bearer " + Signed(i, p => p["exp"] = Now - 5)], 200, ""),
        new("nbf in the future", i => ["Bearer " + Signed(i, p => p["nbf"] = Now + 600)], 400, "Token is not yet valid"),
        new("iat in the future", i => ["Bearer " + Signed(i, p => p["iat"] = Now + 600)], 400, "Token is not yet valid"),
        new("wrong audience", i => ["Bearer " + Signed(i, p => p["aud"] = "https://other.test/")], 400, "Invalid audience"),
        new("audience differing by a trailing slash", i => ["Bearer " + Signed(i, p => p["aud"] = i.Audience.TrimEnd('/'))], 400, "Invalid audience"),
        new("audience array without ours", i => ["Bearer " + Signed(i, p => p["aud"] = new JsonArray("https://other.test/", "https://third.test/"))], 400, "Invalid audience"),
        new("audience array with ours", i => ["Bearer " + Signed(i, p => p["aud"] = new JsonArray("https://other.test/", i.Audience))], 200, ""),
        new("wrong issuer", i => ["Bearer " + Signed(i, p => p["iss"] = "https://attacker.example/")], 400, "Invalid issuer"),
        new("issuer without the trailing slash", i => ["Bearer " + Signed(i, p => p["iss"] = i.Issuer.TrimEnd('/'))], 400, "Invalid issuer"),
        new("10 KB of claims", i => ["Bearer " + Signed(i, p => p["padding"] = new string('x', 10 * 1024))], 200, ""),
        new("past the 16 KiB size limit", i => ["Bearer " + Signed(i, p => p["padding"] = new string('x', 16 * 1024))], 400, "Token is too large"),

        // Found by TokenValidatorProperties.
        new("header segment of 4n+1 characters", i => ["Bearer " + Replace(i.CreateToken(), 0, LengthenedTo4nPlus1(Encode(i.NewHeader())))], 400, "Malformed token"),
        new("kid null", i => ["Bearer " + i.Sign(Header(i, h => h["kid"] = null), i.NewPayload())], 400, "No signing key matches the token"),
    ];

    private static string Signed(LocalIssuer issuer, Action<JsonObject> change)
    {
        var payload = issuer.NewPayload();
        change(payload);
        return issuer.Sign(issuer.NewHeader(), payload);
    }

    private static string HeaderText(LocalIssuer issuer) => issuer.NewHeader().ToJsonString();

    private static string PayloadText(LocalIssuer issuer) => issuer.NewPayload().ToJsonString();

    // The object's text with one more member of the given name at its end.
    private static string Twice(string json, string name, string value) => json.TrimEnd('}') + $",\"{name}\":{value}}}";

    private static JsonNode Nested(int depth)
    {
        JsonNode node = new JsonObject();
        for (var level = 1; level < depth; level++)
        {
            node = new JsonObject { ["a"] = node };
        }

        return node;
    }

    private static JsonObject Header(LocalIssuer issuer, Action<JsonObject> change)
    {
        var header = issuer.NewHeader();
        change(header);
        return header;
    }

    private static string Encode(JsonNode node) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(node.ToJsonString()));

    private static string Forged(LocalIssuer issuer, Action<JsonObject> change)
    {
        var payload = issuer.NewPayload();
        change(payload);
        return Encode(payload);
    }

    private static string Segments(string token, int count) => string.Join('.', token.Split('.').Take(count));

    private static string Replace(string token, int index, string segment)
    {
        var parts = token.Split('.');
        parts[index] = segment;
        return string.Join('.', parts);
    }

    // No base64url text has 4n+1 characters: the last one would carry too few bits for a byte.
    private static string LengthenedTo4nPlus1(string segment) => segment + new string('A', (5 - (segment.Length % 4)) % 4);

    private static string Unsigned(LocalIssuer issuer, string alg) =>
        CompactJws.Encode(Header(issuer, h => h["alg"] = alg), issuer.NewPayload(), _ => []);

    private static string HmacWithPublicKey(LocalIssuer issuer)
    {
        var publicKey = issuer.SigningKey.Rsa.ExportSubjectPublicKeyInfo();
        return CompactJws.Encode(Header(issuer, h => h["alg"] = "HS256"), issuer.NewPayload(), input => HMACSHA256.HashData(publicKey, input));
    }

    private static string EcdsaSigned(LocalIssuer issuer)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return CompactJws.Encode(
            Header(issuer, h => h["alg"] = "ES256"), issuer.NewPayload(), input => key.SignData(input, HashAlgorithmName.SHA256));
    }

    // Signed with a key of the attacker's, under our kid, with a header that points at the attacker's key.
    private static string AttackerSigned(LocalIssuer issuer, Action<JsonObject> pointAtAttacker) =>
        CompactJws.SignRsa(Header(issuer, pointAtAttacker), issuer.NewPayload(), Attacker.Value.Rsa);

    private static JsonNode AttackerJwk() => JsonNode.Parse(JsonSerializer.Serialize(Attacker.Value.ToJwk()))!;
}
