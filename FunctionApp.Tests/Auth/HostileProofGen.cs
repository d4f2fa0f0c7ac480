using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using FunctionApp.Auth;
using FunctionApp.TestHost.Issuer;

namespace FunctionApp.Tests.Auth;

/// <summary>What a generated proof may do when it is sent with its token.</summary>
public enum ProofExpectation
{
    /// <summary>The genuine proof, or one the RFCs make equivalent to it (JSON escapes, spacing, extra members, an equivalent htu).</summary>
    Verifies,

    /// <summary>Valid or not depending on what the generator does not model (a jti used before, JSON the strict reader may refuse).</summary>
    MayVerify,

    /// <summary>Wrong in a way that must never be accepted.</summary>
    NeverVerifies,
}

/// <summary>A proof as sent, and what it may do.</summary>
public sealed record MadeProof(string? Proof, ProofExpectation Expect)
{
    public override string ToString() => $"{Expect}: {(Proof is null ? "(none)" : Proof.Length <= 2000 ? HostileTokenGen.Show(Proof) : HostileTokenGen.Show(Proof[..2000]) + $"...({Proof.Length} characters)")}";
}

/// <summary>
/// One generated DPoP header: a recipe, made into a proof only when it is sent (<see cref="Make"/>), with a jti never
/// used before and the server's current nonce, so the same case gives the same answer each time it is tried.
/// </summary>
public sealed class HostileProof
{
    private readonly Func<string, string?, MadeProof> _make;

    internal HostileProof(string family, string recipe, Func<string, string?, MadeProof> make)
    {
        Family = family;
        Recipe = recipe;
        _make = make;
    }

    /// <summary>Which generator made it, for the tally of results.</summary>
    public string Family { get; }

    /// <summary>The mutations applied, for CsCheck's report of the smallest failing input.</summary>
    public string Recipe { get; }

    public MadeProof Make(string jti, string? nonce) => _make(jti, nonce);

    public override string ToString() => $"{Family}: {Recipe}";
}

/// <summary>
/// Hostile DPoP proofs for one bound token, made by structured mutation of the genuine proof of its key: its header,
/// jwk and claims JSON (signed anew with the real key or not), its bytes before and after base64url, its segments and
/// the header value around it, proofs by other keys, and random text. Each case knows whether it may verify: the
/// generator models the checks of RFC 9449 4.3 and the equivalences of RFC 3986 and JSON, not the validator's code.
/// </summary>
public sealed class HostileProofGen : IDisposable
{
    private const string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private const string JtiMarker = "@JTI@";
    private const string NonceMarker = "@NONCE@";

    private static readonly SearchValues<char> Base64UrlChars = SearchValues.Create(Base64UrlAlphabet);
    private static readonly string[] HeaderRequired = ["typ", "alg", "jwk"];
    private static readonly string[] HeaderForbidden = ["crit"];
    private static readonly string[] JwkRequired = ["kty", "crv", "x", "y"];
    private static readonly string[] PrivateJwkMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    private readonly ThreadLocal<ECDsa> _signer;
    private readonly ThreadLocal<ECDsa> _otherSigner;
    private readonly bool _nonces;
    private readonly long _now;
    private readonly string _ath;
    private readonly string _otherAth;
    private readonly JsonObject _jwk;
    private readonly JsonObject _otherJwk;
    private readonly JsonObject _privateJwk;
    private readonly Member[] _header;
    private readonly Member[] _jwkMembers;
    private readonly Member[] _payload;
    private readonly string[] _payloadRequired;

    /// <param name="key">The key the token is bound to; its private half signs the proofs.</param>
    /// <param name="otherKey">Another ES256 key, for proofs made by someone else.</param>
    /// <param name="token">The bound access token the proofs go with (their ath).</param>
    /// <param name="otherToken">Another access token, for a wrong ath.</param>
    /// <param name="url">The request URL (htu), sent with GET.</param>
    /// <param name="now">The server's clock, in seconds since 1970, for iat.</param>
    /// <param name="nonces">Whether the server asks for nonces: then the genuine proof carries the current one.</param>
    public HostileProofGen(DPoPKey key, DPoPKey otherKey, string token, string otherToken, string url, long now, bool nonces)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(otherKey);
        ArgumentNullException.ThrowIfNull(url);
        if (key.Algorithm != "ES256" || otherKey.Algorithm != "ES256")
        {
            throw new ArgumentException("The generator makes ES256 proofs.", nameof(key));
        }

        _signer = new(() => Signer(key), trackAllValues: true);
        _otherSigner = new(() => Signer(otherKey), trackAllValues: true);
        _nonces = nonces;
        _now = now;
        Url = url;
        _ath = Ath(token);
        _otherAth = Ath(otherToken);
        _jwk = key.PublicJwk();
        _otherJwk = otherKey.PublicJwk();
        _privateJwk = key.PrivateJwk();
        _jwkMembers = [.. _jwk.Select(m => Plain(m.Key, Quote((string)m.Value!)))];
        _header = [Plain("typ", "\"dpop+jwt\""), Plain("alg", "\"ES256\""), new Member("jwk", Name("jwk"), new Fragment([]), ProofExpectation.Verifies, IsJwk: true)];
        _payload =
        [
            Plain("jti", Quote(JtiMarker)),
            Plain("htm", "\"GET\""),
            Plain("htu", Quote(url)),
            Plain("iat", Number(now)),
            Plain("ath", Quote(_ath)),
            .. nonces ? [Plain("nonce", Quote(NonceMarker))] : Array.Empty<Member>(),
        ];
        _payloadRequired = nonces ? ["htm", "htu", "iat", "jti", "ath", "nonce"] : ["htm", "htu", "iat", "jti", "ath"];
        Proofs = Build();
    }

    /// <summary>The URL the proofs are made for, with method GET.</summary>
    public string Url { get; }

    public Gen<HostileProof> Proofs { get; }

    /// <summary>The genuine proof, untouched: the one every case is made from.</summary>
    public HostileProof Genuine => new("genuine", "untouched", (jti, nonce) => Materialise(Untouched(), jti, nonce));

    public void Dispose()
    {
        foreach (var signer in _signer.Values.Concat(_otherSigner.Values))
        {
            signer.Dispose();
        }

        _signer.Dispose();
        _otherSigner.Dispose();
    }

    private Gen<HostileProof> Build() => Gen.Frequency(
        (2, Gen.Const(Genuine)),
        (12, JsonMutations(reSign: true)),
        (2, JsonMutations(reSign: false)),
        (3, ByteMutations()),
        (2, Shapes()),
        (1, OtherKeys()),
        (1, Garbage()));

    // ----- JSON: header, jwk and claims edited, then the text around them; signed anew with the real key or not -----

    private Gen<HostileProof> JsonMutations(bool reSign)
    {
        var header = Gen.Select(HeaderEdit().Array[1, 3], TextChanges(), (e, t) => (Edits: e, Text: t));
        var jwk = JwkEdit().Array[1, 3];
        var payload = Gen.Select(PayloadEdit().Array[1, 3], TextChanges(), (e, t) => (Edits: e, Text: t));
        var noHeader = Gen.Const((Edits: Array.Empty<Edit>(), Text: TextChange.None));
        var noJwk = Gen.Const(Array.Empty<Edit>());
        var noPayload = Gen.Const((Edits: Array.Empty<Edit>(), Text: TextChange.None));
        var target = Gen.Frequency(
            (3, Gen.Select(header, noJwk, noPayload)),
            (2, Gen.Select(noHeader, jwk, noPayload)),
            (5, Gen.Select(noHeader, noJwk, payload)),
            (1, Gen.Select(header, noJwk, payload)),
            (1, Gen.Select(noHeader, jwk, payload)));
        return Gen.Select(target, Layout(), (parts, layout) =>
        {
            var ((headerEdits, headerText), jwkEdits, (payloadEdits, payloadText)) = parts;
            var recipe = new List<string>();
            if (headerEdits.Length > 0)
            {
                recipe.Add("header: " + string.Join(", ", headerEdits.Select(e => e.Name)) + headerText.Name);
            }

            if (jwkEdits.Length > 0)
            {
                recipe.Add("jwk: " + string.Join(", ", jwkEdits.Select(e => e.Name)));
            }

            if (payloadEdits.Length > 0)
            {
                recipe.Add("claims: " + string.Join(", ", payloadEdits.Select(e => e.Name)) + payloadText.Name);
            }

            if (layout.Length > 0)
            {
                recipe.Add($"spaced with {HostileTokenGen.Show(layout)}");
            }

            var edited = new Parts(
                headerEdits.Aggregate(new List<Member>(_header), (m, e) => e.Apply(m)),
                jwkEdits.Aggregate(new List<Member>(_jwkMembers), (m, e) => e.Apply(m)),
                payloadEdits.Aggregate(new List<Member>(_payload), (m, e) => e.Apply(m)),
                layout,
                headerText,
                payloadText);
            return new HostileProof(
                reSign ? "json re-signed" : "json",
                string.Join("; ", recipe) + (reSign ? "; re-signed" : ""),
                (jti, nonce) =>
                {
                    if (reSign)
                    {
                        return Materialise(edited, jti, nonce);
                    }

                    // The genuine proof's signature on the edited text: valid only if the text did not change at all.
                    var genuine = Materialise(Untouched(), jti, nonce).Proof!;
                    var input = SigningInput(edited, jti, nonce);
                    var proof = input + genuine[genuine.LastIndexOf('.')..];
                    return new MadeProof(proof, proof == genuine ? ProofExpectation.Verifies : ProofExpectation.NeverVerifies);
                });
        });
    }

    private Gen<Edit> HeaderEdit()
    {
        var typ = Values(
            ["\"dpop+jwt\"", "\"dpop\\u002bjwt\"", "\"\\u0064pop+jwt\"", "\"dpop\\u002Bjwt\""],
            ["\"JWT\"", "\"DPOP+JWT\"", "\"dpop+jwt \"", "\" dpop+jwt\"", "\"application/dpop+jwt\"", "\"at+jwt\"", "\"\"", "1", "null", "[\"dpop+jwt\"]",
             "{\"typ\":\"dpop+jwt\"}", "\"dpop+jwt\\u0000\"", "\"dpop jwt\"", "\"dpop-jwt\""]);
        var alg = Values(
            ["\"ES256\"", "\"\\u0045S256\"", "\"ES\\u0032\\u0035\\u0036\""],
            ["\"none\"", "\"None\"", "\"NONE\"", "\"HS256\"", "\"RS256\"", "\"PS256\"", "\"ES384\"", "\"ES512\"", "\"ES256K\"", "\"EdDSA\"", "\"es256\"",
             "\"ES256 \"", "\"\"", "256", "null", "true", "[\"ES256\"]", "{\"alg\":\"ES256\"}", "\"ES256\\u0000\""]);
        var jwk = Values(
            [JwkJson(_jwk, extra: ("use", "sig")), Reordered(_jwk), JwkJson(_jwk, extra: ("alg", "ES256"))],
            [_otherJwk.ToJsonString(), _privateJwk.ToJsonString(), "\"jwk\"", "null", "[]", "{}", "1", $"[{_jwk.ToJsonString()}]",
             JwkJson(_jwk, extra: ("d", (string)_privateJwk["d"]!)), JwkJson(_jwk, extra: ("k", "AAAA")), "{\"kty\":\"oct\",\"k\":\"AAAA\"}",
             "{\"kty\":\"oct\"}", "{\"kty\":\"EC\"}", "\"" + Thumbprint() + "\""]);
        var crit = Values([], ["[\"exp\"]", "[]", "null", "\"exp\"", "[\"b64\"]", "1", "{}"]);
        var unknownName = Gen.OneOf("kid", "cty", "x5c", "jku", "x5u", "b64", "zip", "enc", "iat", "nonce", "jti", "htm", "x5t#S256");
        // IdentityModel reads these as strings and refuses a proof where one is anything else; any other member is ignored.
        var typedName = Gen.OneOf("kid", "cty", "zip", "x5t");
        var untypedName = Gen.OneOf("x5c", "jku", "x5u", "b64", "enc", "iat", "nonce", "jti", "htm", "x5t#S256");
        var setName = Gen.OneOf("typ", "alg", "jwk", "crit");
        return Gen.Frequency(
            (4, typ.Select(v => Edit.Set("typ", v))),
            (4, alg.Select(v => Edit.Set("alg", v))),
            (3, jwk.Select(v => Edit.Set("jwk", v))),
            (1, crit.Select(v => Edit.Set("crit", v))),
            (1, Gen.Select(Gen.OneOf("typ", "alg", "crit"), HostileValue(), (n, v) => Edit.Set(n, v with { Verdict = ProofExpectation.NeverVerifies }))),
            (2, Gen.OneOf("typ", "alg", "jwk").Select(Edit.Remove)),
            (2, Gen.Select(setName, Gen.Bool, (n, escaped) => Edit.Duplicate(n, escaped, value: null))),
            (2, Gen.OneOf("typ", "alg", "jwk").Select(Edit.EscapeName)),
            (3, Gen.Select(unknownName, HostileValue(), (n, v) => Edit.Set(n, v with { Verdict = ProofExpectation.MayVerify }))),
            (1, Gen.Select(untypedName, SimpleValue(), Edit.Set)),
            (1, Gen.Select(typedName, SimpleValue(), (n, v) => Edit.Set(n, v with { Verdict = ProofExpectation.MayVerify }))),
            (1, Gen.Select(OddName(), HostileValue(), (n, v) => Edit.Add(n, v with { Verdict = ProofExpectation.MayVerify }))),
            (1, Gen.Int[1, 5].Select(Edit.Rotate)));
    }

    private Gen<Edit> JwkEdit()
    {
        var x = (string)_jwk["x"]!;
        var y = (string)_jwk["y"]!;
        var kty = Values(["\"EC\"", "\"\\u0045C\""], ["\"RSA\"", "\"oct\"", "\"ec\"", "\"OKP\"", "\"EC \"", "\"\"", "null", "1", "[\"EC\"]"]);
        var crv = Values(
            ["\"P-256\"", "\"P\\u002d256\""],
            ["\"P-384\"", "\"P-521\"", "\"p-256\"", "\"P256\"", "\"secp256r1\"", "\"P-256 \"", "\"\"", "null", "256"]);
        var xValues = Values(CoordinateForms(x), CoordinateMistakes(x, (string)_otherJwk["x"]!, y));
        var yValues = Values(CoordinateForms(y), CoordinateMistakes(y, (string)_otherJwk["y"]!, x));
        // RFC 7517 4.4: a jwk that states an alg is for that alg alone, so only the proof's own (ES256) keeps it valid.
        var keyAlg = Values(["\"ES256\"", "\"ES\\u0032\\u0035\\u0036\""], ["\"ES384\"", "\"RS256\"", "\"es256\"", "\"ES256 \"", "\"\"", "null", "256", "[\"ES256\"]"]);
        var benignName = Gen.OneOf("use", "kid", "key_ops", "ext", "x5c", "x5t", "crv2", "n", "e");
        return Gen.Frequency(
            (3, kty.Select(v => Edit.Set("kty", v))),
            (3, crv.Select(v => Edit.Set("crv", v))),
            (4, xValues.Select(v => Edit.Set("x", v))),
            (3, yValues.Select(v => Edit.Set("y", v))),
            (2, keyAlg.Select(v => Edit.Set("alg", v))),
            (2, Gen.Select(Gen.OneOf(JwkRequired), HostileValue(), (n, v) => Edit.Set(n, v with { Verdict = ProofExpectation.NeverVerifies }))),
            (2, Gen.OneOf(JwkRequired).Select(Edit.Remove)),
            (2, Gen.Select(Gen.OneOf(PrivateJwkMembers), Gen.Frequency((3, SimpleValue()), (1, HostileValue())), (n, v) => Edit.Set(n, v with { Verdict = ProofExpectation.NeverVerifies }))),
            (2, Gen.Select(benignName, SimpleValue(), Edit.Set)),
            (1, Gen.Select(benignName, HostileValue(), (n, v) => Edit.Set(n, v with { Verdict = ProofExpectation.MayVerify }))),
            (2, Gen.Select(Gen.OneOf(JwkRequired), Gen.Bool, (n, escaped) => Edit.Duplicate(n, escaped, value: null))),
            (2, Gen.OneOf(JwkRequired).Select(Edit.EscapeName)),
            (1, Gen.Int[1, 4].Select(Edit.Rotate)));
    }

    private Gen<Edit> PayloadEdit()
    {
        var unsureWhenNoncesOff = _nonces ? ProofExpectation.NeverVerifies : ProofExpectation.MayVerify;
        var htm = Values(
            ["\"GET\"", "\"\\u0047ET\"", "\"G\\u0045T\""],
            ["\"get\"", "\"Get\"", "\"POST\"", "\"HEAD\"", "\"GET \"", "\" GET\"", "\"\"", "null", "1", "[\"GET\"]", "\"GET\\u0000\""]);
        var htu = Values(
            [Quote(Url), Quote(Url.ToUpperInvariant().Replace("/API/PRIVATE", "/api/private", StringComparison.Ordinal)), Quote(Url.Replace("app.example", "app.example:443", StringComparison.Ordinal)),
             Quote(Url + "?x=1"), Quote(Url + "#part"), Quote(Url + "?"), Quote(Url.Replace("/api/", "/api/./", StringComparison.Ordinal)),
             Quote(Url.Replace("/api/", "/api/x/../", StringComparison.Ordinal)), Quote(Url.Replace("/api/", "/%61pi/", StringComparison.Ordinal)),
             Quote(Url.Replace("/private", "/%70rivate", StringComparison.Ordinal)), Quote(Url.Replace("/", "\\/", StringComparison.Ordinal)), Quote("\\u0068" + Url[1..])],
            [Quote(Url.Replace("private", "public", StringComparison.Ordinal)), Quote(Url + "/"), Quote(Url.Replace("/api/", "/API/", StringComparison.Ordinal)),
             Quote(Url.Replace("https:", "http:", StringComparison.Ordinal)), Quote(Url.Replace("app.example", "app.example:8443", StringComparison.Ordinal)),
             Quote(Url.Replace("https://", "https://user@", StringComparison.Ordinal)), Quote(Url.Replace("app.example", "other.example", StringComparison.Ordinal)),
             Quote(Url.Replace("app.example", "app.example.evil.test", StringComparison.Ordinal)), Quote(Url.Replace("/api/private", "/api%2Fprivate", StringComparison.Ordinal)),
             Quote(new Uri(Url).AbsolutePath), Quote(Url.Replace("https://", "", StringComparison.Ordinal)), Quote(Url.Replace("https:", "wss:", StringComparison.Ordinal)),
             "\"\"", "null", "1", $"[{Quote(Url)}]", Quote(Url + "\\u0000")],
            // A URI has no white space, but System.Uri trims it from around one: ProofTargetTests holds what should happen.
            [Quote(Url + " "), Quote(" " + Url), Quote(Url + "\\t"), Quote(Url + "\\r\\n")]);
        var iat = Values(
            [Number(_now), Number(_now - 299), Number(_now + 29), Number(_now - 100) + ".5", Number(_now) + ".0", Number(_now) + "e0", Number(_now * 10) + "e-1"],
            [Number(_now - 301), Number(_now + 31), Number(_now - 100_000), Number(_now + 100_000), "0", "1", "-1", "-0", "1e400", "253402300799", "253402300800",
             Quote(Number(_now)), "null", $"[{Number(_now)}]", "true", "{}"]);
        var jti = Values(
            [Quote(JtiMarker), Quote("\\u0041" + JtiMarker), Quote(new string('j', 3000) + JtiMarker), Quote(new string('j', 6000) + JtiMarker), Quote("\u00e9\u202e" + JtiMarker)],
            ["\"\"", "null", "1", "[]", "{}", $"[{Quote(JtiMarker)}]", "true"]);
        var ath = Values(
            [Quote(_ath), Quote("\\u" + ((int)_ath[0]).ToString("x4", CultureInfo.InvariantCulture) + _ath[1..])],
            [Quote(_otherAth), Quote(_ath + "="), Quote(_ath.Replace('-', '+').Replace('_', '/') + "="), Quote(_ath[..^1]), Quote(_ath + "A"), Quote(Flip(_ath)),
             "\"\"", "null", "1", $"[{Quote(_ath)}]"]);
        var nonce = Values(
            [Quote(NonceMarker)],
            ["\"\"", "\"made-up\"", Quote(new string('A', 32)), "null", "1", $"[{Quote(NonceMarker)}]", Quote(NonceMarker + "A")]);
        var unknownName = Gen.OneOf("exp", "nbf", "iss", "sub", "aud", "cnf", "scope", "extra", "typ", "alg", "jwk", "client_id");
        // IdentityModel reads these with a type of its own and refuses a proof where one has another; the rest are ignored.
        var typedName = Gen.OneOf("exp", "nbf", "iss", "sub", "aud");
        var untypedName = Gen.OneOf("cnf", "scope", "extra", "typ", "alg", "jwk", "client_id");
        var claimName = Gen.OneOf(_payloadRequired);
        return Gen.Frequency(
            (3, htm.Select(v => Edit.Set("htm", v))),
            (5, htu.Select(v => Edit.Set("htu", v))),
            (4, iat.Select(v => Edit.Set("iat", v))),
            (3, jti.Select(v => Edit.Set("jti", v))),
            (3, ath.Select(v => Edit.Set("ath", v))),
            (2, nonce.Select(v => Edit.Set("nonce", _nonces ? v : v with { Verdict = ProofExpectation.MayVerify }))),
            (2, Gen.Select(Gen.OneOf("htm", "htu", "iat", "ath"), HostileValue(), (n, v) => Edit.Set(n, v with { Verdict = ProofExpectation.NeverVerifies }))),
            // A jti may be any string, and a nonce is ignored when nonces are off: a hostile value may be a valid one.
            (1, HostileValue().Select(v => Edit.Set("jti", v with { Verdict = v.Fragment.Bytes is [(byte)'"', ..] ? ProofExpectation.MayVerify : ProofExpectation.NeverVerifies }))),
            (1, HostileValue().Select(v => Edit.Set("nonce", v with { Verdict = unsureWhenNoncesOff }))),
            (3, claimName.Select(Edit.Remove)),
            (2, Gen.Select(claimName, Gen.Bool, (n, escaped) => Edit.Duplicate(n, escaped, value: null))),
            (2, claimName.Select(Edit.EscapeName)),
            (3, Gen.Select(unknownName, HostileValue(), (n, v) => Edit.Set(n, v with { Verdict = ProofExpectation.MayVerify }))),
            (1, Gen.Select(untypedName, SimpleValue(), Edit.Set)),
            (1, Gen.Select(typedName, SimpleValue(), (n, v) => Edit.Set(n, v with { Verdict = ProofExpectation.MayVerify }))),
            (1, Gen.Select(OddName(), HostileValue(), (n, v) => Edit.Add(n, v with { Verdict = ProofExpectation.MayVerify }))),
            (1, Gen.Int[1, 6].Select(Edit.Rotate)));
    }

    // Wrong types, odd and huge numbers, odd Unicode (escaped and as raw, invalid UTF-8), deep nesting, huge strings.
    // None is a valid value of a checked member but jti (any string) and nonce when nonces are off (ignored).
    private static Gen<Value> HostileValue()
    {
        var constants = Gen.OneOf(
            "0", "-0", "1", "-1", "1.5", "1e400", "-1e400", "1e-400", "1E3", "99999999999999999999", "9007199254740993",
            "NaN", "Infinity", "-Infinity", "01", "+1", ".5", "1.", "0x10", "1e", "--1",
            "true", "false", "null", "tru", "nul", "True",
            "\"\"", "\"x\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\ud83d\\ude00\"", "\"\\u0000\"", "\"\\u202e\"", "\"\u202e\"", "\"\\r\\n\\u001b[31m\"",
            "\"\x01\"", "\"\xc3\x28\"", "\"\xff\"", "\"\xed\xa0\x80\"", "\"\xc0\xaf\"", "\"\xf4\x90\x80\x80\"", "\"\x80\"", "\"\xef\xbb\xbf\"",
            "\"\u65e5\u672c\u8a9e\"", "\"\U0001F600\"", "\"abc", "\"\\x\"", "\"\\u12\"", "\"a\"b\"",
            "[]", "[1]", "[\"x\"]", "[null]", "[[]]", "{}", "{\"a\":1}", "{\"a\":1,\"a\":2}", "{\"\\u0061\":1,\"a\":2}", "[1e400]", "{\"a\":1e400}",
            "{\"a\":}", "[1,]", "{\"a\":1,}", "'x'", "undefined")
            .Select(Fragment.Latin1);
        return Gen.Frequency(
            (20, constants),
            (1, Gen.Int[1, 60].Select(d => Fragment.Of(new string('[', d) + new string(']', d)))),
            (1, Gen.Int[1, 60].Select(d => Fragment.Of(string.Concat(Enumerable.Repeat("{\"a\":", d)) + "1" + new string('}', d)))),
            (1, Gen.Int[0, 9000].Select(n => Fragment.Of(Quote(new string('a', n))))))
            .Select(f => new Value(f, ProofExpectation.MayVerify));
    }

    // Valid JSON of every type: for members nothing checks, where they must change nothing.
    private static Gen<Value> SimpleValue() =>
        Gen.OneOf("\"ES256\"", "\"sig\"", "\"\"", "1", "-1.5e3", "null", "true", "[]", "{}", "[\"verify\"]", "{\"a\":[1,{\"b\":null}]}", "\"\\u00e9\\ud83d\\ude00\"")
            .Select(t => new Value(Fragment.Of(t), ProofExpectation.Verifies));

    private static Gen<(Fragment Raw, string Label)> OddName() =>
        Gen.OneOf("\"\"", "\"\\u0000\"", "\"\xff\"", "\"\\ud800\"", "\"a\\\"b\"", "\"\u202e\"", "\"x\" ", "\"\\/\"")
            .Select(n => (Fragment.Latin1(n), "odd " + HostileTokenGen.Show(n)));

    // White space between every JSON token: allowed, so a proof spaced out and signed anew must still verify.
    private static Gen<string> Layout() => Gen.Frequency((6, Gen.Const("")), (1, Gen.OneOf(" ", "\n", "\t", "\r\n  ")));

    private static Gen<TextChange> TextChanges()
    {
        var junk = Gen.OneOf("xyz", "{}", "{\"htm\":\"POST\"}", "\0", ",", "]", "}", "\xff", "//c", "/* */", "null");
        var space = Gen.OneOf(" ", "\n", "\t", "\r\n");
        return Gen.Frequency(
            (16, Gen.Const(TextChange.None)),
            (2, space.Select(s => new TextChange($", then {HostileTokenGen.Show(s)}", ProofExpectation.Verifies, json => [.. json, .. Encoding.ASCII.GetBytes(s)]))),
            (1, space.Select(s => new TextChange($", after {HostileTokenGen.Show(s)}", ProofExpectation.Verifies, json => [.. Encoding.ASCII.GetBytes(s), .. json]))),
            (2, junk.Select(j => new TextChange($", then {HostileTokenGen.Show(Fragment.Latin1(j).Bytes)}", ProofExpectation.NeverVerifies, json => [.. json, .. Fragment.Latin1(j).Bytes]))),
            (1, junk.Select(j => new TextChange($", after {HostileTokenGen.Show(Fragment.Latin1(j).Bytes)}", ProofExpectation.NeverVerifies, json => [.. Fragment.Latin1(j).Bytes, .. json]))),
            (1, Gen.Const(new TextChange(", after a byte order mark", ProofExpectation.MayVerify, json => [0xef, 0xbb, 0xbf, .. json]))),
            (1, Gen.Const(new TextChange(", twice", ProofExpectation.NeverVerifies, json => [.. json, .. json]))),
            (1, Gen.Const(new TextChange(", in an array", ProofExpectation.NeverVerifies, json => [(byte)'[', .. json, (byte)']']))),
            (1, Gen.Int[0, 200].Select(n => new TextChange($", cut to {n} bytes", ProofExpectation.NeverVerifies, json => json[..Math.Min(n, json.Length - 1)]))),
            (1, Gen.OneOf("", "null", "[]", "\"x\"", "1", "{", "}", "[{}]", "{}")
                .Select(t => new TextChange($", replaced by {HostileTokenGen.Show(t)}", ProofExpectation.NeverVerifies, _ => Encoding.ASCII.GetBytes(t)))));
    }

    // ----- Bytes: one segment's text or decoded bytes changed, never signed anew -----

    private Gen<HostileProof> ByteMutations()
    {
        var hostileChar = Gen.Frequency(
            (8, Gen.Char[Base64UrlAlphabet]),
            (2, Gen.OneOf('=', '+', '/', '.', ',', ' ', '\t', '%', '\0', '\u00e9', '\u00a0', '\u202e', '\ufffd', '\ud800', '\udc00')));
        var op = Gen.Frequency<(string Name, int Position, int Value)>(
            (3, Gen.Select(Gen.Int[0, 4096], Gen.Int[0, 7], (p, b) => ("flip", p, b))),
            (2, Gen.Select(Gen.Int[0, 4096], Gen.Byte, (p, b) => ("insert", p, (int)b))),
            (2, Gen.Select(Gen.Int[0, 4096], hostileChar, (p, c) => ("insert char", p, (int)c))),
            (2, Gen.Int[0, 4096].Select(p => ("delete", p, 0))));
        return Gen.Select(Gen.Int[0, 2], Gen.Bool, op.Array[1, 3], (segment, decoded, ops) =>
        {
            var recipe = $"segment {segment} {(decoded ? "decoded" : "base64url")}: " + string.Join(", ", ops.Select(o => $"{o.Name}@{o.Position}({o.Value})"));
            return new HostileProof("bytes", recipe, (jti, nonce) =>
            {
                var genuine = Materialise(Untouched(), jti, nonce).Proof!;
                var segments = genuine.Split('.');
                segments[segment] = decoded
                    ? Base64Url.EncodeToString(SequenceEdits.Apply(Base64Url.DecodeFromChars(segments[segment]).ToList(), ops, b => (byte)b, (b, bit) => (byte)(b ^ (1 << bit))).ToArray())
                    : new string(SequenceEdits.Apply(segments[segment].ToList(), ops, c => (char)c, (c, bit) => (char)(c ^ (1 << bit))).ToArray());
                var proof = string.Join('.', segments);
                return new MadeProof(proof, SameAsGenuine(proof, genuine));
            });
        });
    }

    // Verifies when it is the genuine proof, give or take white space around it; may verify when only the signature
    // text changed and it still decodes to the same bytes (base64url's unused trailing bits); never otherwise.
    private static ProofExpectation SameAsGenuine(string proof, string genuine)
    {
        if (proof.Trim() == genuine)
        {
            return ProofExpectation.Verifies;
        }

        var cut = genuine.LastIndexOf('.');
        return proof.Length > cut && proof.StartsWith(genuine[..(cut + 1)], StringComparison.Ordinal) && proof.IndexOf('.', cut + 1) < 0
            && Base64Url.IsValid(proof.AsSpan(cut + 1)) && proof.AsSpan(cut + 1).IndexOfAnyExcept(Base64UrlChars) < 0
            && Base64Url.DecodeFromChars(proof.AsSpan(cut + 1)).AsSpan().SequenceEqual(Base64Url.DecodeFromChars(genuine.AsSpan(cut + 1)))
            ? ProofExpectation.MayVerify
            : ProofExpectation.NeverVerifies;
    }

    // ----- Shapes: the header value around the proof, its segments, several proofs, sizes -----

    private Gen<HostileProof> Shapes()
    {
        var around = Gen.OneOf("", " ", "\t", "\r\n", "\u00a0", "\u2028", "\0", ",", ";", "\"", "DPoP ");
        var arounds = Gen.Select(around, around, (before, after) => new Shape(
            $"{HostileTokenGen.Show(before)}|proof|{HostileTokenGen.Show(after)}",
            (p, _) => before + p + after));
        var fixedShapes = Gen.OneOf(
            new Shape("no header", (_, _) => null),
            new Shape("empty", (_, _) => ""),
            new Shape("blank", (_, _) => "   "),
            new Shape("two proofs joined", (p, q) => p + "," + q),
            new Shape("two proofs joined with a space", (p, q) => p + ", " + q),
            new Shape("the same proof twice", (p, _) => p + "," + p),
            new Shape("header and payload only", (p, _) => p[..p.LastIndexOf('.')]),
            new Shape("empty signature", (p, _) => p[..(p.LastIndexOf('.') + 1)]),
            new Shape("a fourth segment", (p, _) => p + ".AAAA"),
            new Shape("five segments", (p, _) => p + ".AAAA.AAAA"),
            new Shape("dots doubled", (p, _) => p.Replace(".", "..", StringComparison.Ordinal)),
            new Shape("the header alone", (p, _) => p[..p.IndexOf('.')]),
            new Shape("segments swapped", (p, _) => string.Join('.', p.Split('.')[1], p.Split('.')[0], p.Split('.')[2])),
            new Shape("padded", (p, _) => p + "=="),
            new Shape("lowercased", (p, _) => p.ToLowerInvariant()),
            new Shape("another proof's signature", (p, q) => p[..p.LastIndexOf('.')] + q[q.LastIndexOf('.')..]));
        var sizes = Gen.Int[1, 20_000].Select(n => new Shape($"signature padded by {n}", (p, _) => p + new string('A', n)));
        return Gen.Frequency((3, arounds), (4, fixedShapes), (1, sizes)).Select(shape => new HostileProof("shape", shape.Name, (jti, nonce) =>
        {
            var genuine = Materialise(Untouched(), jti, nonce).Proof!;
            var other = Materialise(Untouched(), jti + "-2", nonce).Proof!;
            var proof = shape.Apply(genuine, other);
            return new MadeProof(proof, proof is null ? ProofExpectation.NeverVerifies : SameAsGenuine(proof, genuine));
        }));
    }

    // ----- Other keys: a proof made by someone who does not hold the token's key -----

    private Gen<HostileProof> OtherKeys() => Gen.OneOf(
        new HostileProof("other key", "signed by another key, with its own jwk", (jti, nonce) =>
            new MadeProof(Materialise(Untouched() with { Jwk = [.. _otherJwk.Select(m => Plain(m.Key, Quote((string)m.Value!)))] }, jti, nonce, _otherSigner.Value!).Proof, ProofExpectation.NeverVerifies)),
        new HostileProof("other key", "signed by another key, with the token key's jwk", (jti, nonce) =>
            new MadeProof(Materialise(Untouched(), jti, nonce, _otherSigner.Value!).Proof, ProofExpectation.NeverVerifies)));

    // Random text: base64url-looking strings with dots, and arbitrary Unicode.
    private static Gen<HostileProof> Garbage() =>
        Gen.OneOf(Gen.Char[Base64UrlAlphabet + "..."].Array[0, 1200].Select(c => new string(c)), Gen.String)
            .Select(text => new HostileProof("garbage", "random text: " + HostileTokenGen.Show(text.Length <= 80 ? text : text[..80] + "..."), (_, _) => new MadeProof(text, ProofExpectation.NeverVerifies)));

    // ----- Making a proof -----

    private Parts Untouched() => new([.. _header], [.. _jwkMembers], [.. _payload], "", TextChange.None, TextChange.None);

    private MadeProof Materialise(Parts parts, string jti, string? nonce, ECDsa? signer = null)
    {
        var input = SigningInput(parts, jti, nonce);
        var signature = Base64Url.EncodeToString((signer ?? _signer.Value!).SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256));
        var proof = input + "." + signature;
        var expect = new[]
        {
            Verdict(parts.Header, HeaderRequired, HeaderForbidden),
            parts.Header.Exists(m => m.IsJwk) ? Verdict(parts.Jwk, JwkRequired, PrivateJwkMembers) : ProofExpectation.Verifies,
            Verdict(parts.Payload, _payloadRequired, []),
            parts.HeaderText.Verdict,
            parts.PayloadText.Verdict,
            proof.Length > DPoPProofValidator.MaxProofLength ? ProofExpectation.NeverVerifies : ProofExpectation.Verifies,
        }.Max();
        return new MadeProof(proof, expect);
    }

    private static string SigningInput(Parts parts, string jti, string? nonce)
    {
        var jwk = Serialize(parts.Jwk, parts.Layout, []);
        var header = parts.HeaderText.Apply(Serialize(parts.Header, parts.Layout, jwk));
        var payload = Serialize(parts.Payload, parts.Layout, []);
        payload = Replace(payload, JtiMarker, jti);
        payload = Replace(payload, NonceMarker, nonce ?? "no-nonce");
        payload = parts.PayloadText.Apply(payload);
        return Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(payload);
    }

    // The members as they end up: a name twice (escaped or not) or a required one missing breaks it; else each value's verdict.
    private static ProofExpectation Verdict(List<Member> members, string[] required, string[] forbidden)
    {
        if (members.GroupBy(m => m.Name, StringComparer.Ordinal).Any(g => g.Count() > 1) || required.Any(r => members.TrueForAll(m => m.Name != r))
            || members.Exists(m => forbidden.Contains(m.Name)))
        {
            return ProofExpectation.NeverVerifies;
        }

        return members.Count == 0 ? ProofExpectation.Verifies : members.Max(m => m.Verdict);
    }

    private static byte[] Serialize(List<Member> members, string space, byte[] jwk) =>
        SequenceEdits.JsonObject(members.Select(m => (m.RawName, m.IsJwk ? jwk : m.Value.Bytes)), space);

    private static byte[] Replace(byte[] bytes, string marker, string with)
    {
        var find = Encoding.ASCII.GetBytes(marker);
        var at = bytes.AsSpan().IndexOf(find);
        if (at < 0)
        {
            return bytes;
        }

        byte[] replaced = [.. bytes.AsSpan(0, at), .. Encoding.UTF8.GetBytes(with), .. bytes.AsSpan(at + find.Length)];
        return Replace(replaced, marker, with);
    }

    private static ECDsa Signer(DPoPKey key)
    {
        var jwk = key.PrivateJwk();
        return ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64Url.DecodeFromChars((string)jwk["x"]!), Y = Base64Url.DecodeFromChars((string)jwk["y"]!) },
            D = Base64Url.DecodeFromChars((string)jwk["d"]!),
        });
    }

    private string Thumbprint() => JwkThumbprint.Of(_jwk);

    private static string Ath(string token) => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(token)));

    // The same coordinate written otherwise in JSON: the thumbprint is of the value, not of its escapes.
    private static string[] CoordinateForms(string value) =>
        [Quote(value), Quote("\\u" + ((int)value[0]).ToString("x4", CultureInfo.InvariantCulture) + value[1..]), Quote(value[..^1] + "\\u" + ((int)value[^1]).ToString("X4", CultureInfo.InvariantCulture))];

    private static string[] CoordinateMistakes(string value, string otherKeys, string otherCoordinate)
    {
        var bytes = Base64Url.DecodeFromChars(value);
        return
        [
            Quote(otherKeys), Quote(otherCoordinate), Quote(Base64Url.EncodeToString(bytes.AsSpan(1))), Quote(Base64Url.EncodeToString([0, .. bytes])),
            Quote(Base64Url.EncodeToString(new byte[32])), Quote(Flip(value)), Quote(value + "="), Quote(value[..10] + " " + value[10..]),
            Quote(Convert.ToBase64String(bytes)), Quote(value.ToUpperInvariant()), "\"\"", "null", "1", $"[{Quote(value)}]",
        ];
    }

    // The last character changed to another that changes the decoded bytes: the first of its 6-bit group.
    private static string Flip(string base64Url) => base64Url[..^2] + (base64Url[^2] == 'A' ? 'B' : 'A') + base64Url[^1];

    private static string JwkJson(JsonObject jwk, (string Name, string Value) extra)
    {
        var copy = (JsonObject)jwk.DeepClone();
        copy[extra.Name] = extra.Value;
        return copy.ToJsonString();
    }

    private static string Reordered(JsonObject jwk) =>
        new JsonObject(jwk.Reverse().Select(m => KeyValuePair.Create(m.Key, m.Value?.DeepClone()))).ToJsonString();

    private static Gen<Value> Values(string[] keeps, string[] breaks, string[]? unsure = null) =>
        Gen.OneOf(
        [
            .. keeps.Select(k => new Value(Fragment.Of(k), ProofExpectation.Verifies)),
            .. breaks.Select(b => new Value(Fragment.Of(b), ProofExpectation.NeverVerifies)),
            .. (unsure ?? []).Select(u => new Value(Fragment.Of(u), ProofExpectation.MayVerify)),
        ]);

    private static Member Plain(string name, string value) => new(name, Name(name), Fragment.Of(value), ProofExpectation.Verifies);

    private static byte[] Name(string name) => Fragment.Of(Quote(name)).Bytes;

    private static string Quote(string text) => "\"" + text + "\"";

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A JSON fragment as raw bytes, which need not be valid JSON or UTF-8.</summary>
    private sealed record Fragment(byte[] Bytes)
    {
        public static Fragment Of(string text) => new(Encoding.UTF8.GetBytes(text));

        // Characters up to U+00FF stand for single bytes, so constants can hold invalid UTF-8; anything above is UTF-8.
        public static Fragment Latin1(string text) =>
            new(text.All(c => c <= '\u00ff') ? Encoding.Latin1.GetBytes(text) : Encoding.UTF8.GetBytes(text));

        public override string ToString() => Bytes.Length <= 80 ? HostileTokenGen.Show(Bytes) : $"{HostileTokenGen.Show(Bytes.AsSpan(0, 40))}...({Bytes.Length} bytes)";
    }

    /// <summary>A value for a member, and what it does to the proof there.</summary>
    private sealed record Value(Fragment Fragment, ProofExpectation Verdict)
    {
        public override string ToString() => Fragment.ToString();
    }

    /// <summary>A member: its name as compared (unescaped), its name as written, its value as written, and what that value does.</summary>
    /// <param name="IsJwk">The header's jwk, written from the jwk members.</param>
    private sealed record Member(string Name, byte[] RawName, Fragment Value, ProofExpectation Verdict, bool IsJwk = false);

    private sealed record Parts(List<Member> Header, List<Member> Jwk, List<Member> Payload, string Layout, TextChange HeaderText, TextChange PayloadText);

    private sealed record TextChange(string Name, ProofExpectation Verdict, Func<byte[], byte[]> Apply)
    {
        public static TextChange None { get; } = new("", ProofExpectation.Verifies, json => json);
    }

    private sealed record Shape(string Name, Func<string, string, string?> Apply);

    /// <summary>A change to the members of the header, the jwk or the claims, named for the report.</summary>
    private sealed record Edit(string Name, Func<List<Member>, List<Member>> Apply)
    {
        public static Edit Set(string name, Value value) => new($"set {name}={value}", members =>
        {
            var at = members.FindIndex(m => m.Name == name);
            var member = new Member(name, HostileProofGen.Name(name), value.Fragment, value.Verdict);
            if (at < 0)
            {
                members.Add(member);
            }
            else
            {
                members[at] = member with { RawName = members[at].RawName };
            }

            return members;
        });

        public static Edit Remove(string name) => new($"remove {name}", members => [.. members.Where(m => m.Name != name)]);

        // A second member of the same name, written plainly or with its first character as a \u escape ("\u0074yp").
        public static Edit Duplicate(string name, bool escaped, Value? value) =>
            new($"duplicate {(escaped ? "escaped " : "")}{name}{(value is null ? "" : "=" + value)}", members =>
            {
                // Of a member that is not there, a lone "x" that may or may not be a valid value.
                var existing = members.Find(m => m.Name == name) ?? new Member(name, HostileProofGen.Name(name), Fragment.Of("\"x\""), ProofExpectation.MayVerify);
                var rawName = escaped ? EscapedName(name) : HostileProofGen.Name(name);
                members.Add(value is null ? existing with { RawName = rawName } : new Member(name, rawName, value.Fragment, value.Verdict));
                return members;
            });

        public static Edit EscapeName(string name) => new($"escape name {name}", members =>
            [.. members.Select(m => m.Name == name ? m with { RawName = EscapedName(name) } : m)]);

        public static Edit Add((Fragment Raw, string Label) name, Value value) =>
            new($"add {name.Label}={value}", members => [.. members, new Member(name.Label, name.Raw.Bytes, value.Fragment, value.Verdict)]);

        public static Edit Rotate(int by) =>
            new($"rotate members by {by}", members => [.. members.Skip(by % Math.Max(members.Count, 1)), .. members.Take(by % Math.Max(members.Count, 1))]);

        private static byte[] EscapedName(string name) => Fragment.Of($"\"\\u{(int)name[0]:x4}{name[1..]}\"").Bytes;
    }
}
