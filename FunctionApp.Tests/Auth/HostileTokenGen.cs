using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using CsCheck;
using FunctionApp.TestHost.Issuer;

namespace FunctionApp.Tests.Auth;

/// <summary>One generated Authorization header, the token inside it, and how both were made.</summary>
/// <param name="Family">Which generator made it, for the tally of results.</param>
/// <param name="Recipe">The mutations applied, for CsCheck's report of the smallest failing input.</param>
/// <param name="Authorization">The header value; null for no header at all.</param>
/// <param name="ReSigned">True when the token was signed anew with the issuer's real key after its JSON was changed.</param>
/// <param name="SignedBytesChanged">True when the header or payload segment text differs from the valid token's and the token was not signed anew.</param>
public sealed record HostileCase(string Family, string Recipe, string? Authorization, bool ReSigned, bool SignedBytesChanged)
{
    public override string ToString() =>
        $"{Family}: {Recipe}\n  Authorization: {(Authorization is null ? "(none)" : HostileTokenGen.Show(Authorization))}";
}

/// <summary>
/// Hostile Authorization headers made by structured mutation of one valid token of a <see cref="LocalIssuer"/>: its
/// segments, its bytes before and after base64url, its header and payload JSON (re-signed with the issuer's real key
/// or not), and the header value around it. Built from CsCheck generators, so a failing case shrinks to a simple one.
/// </summary>
public sealed class HostileTokenGen
{
    private const string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private readonly RSA _signingKey;
    // Re-signed inputs recur (every property draws the same cases, and shrinking draws many again); an RSA sign costs
    // a millisecond or two, so each distinct signing input is signed once.
    private readonly ConcurrentDictionary<string, string> _signatures = new(StringComparer.Ordinal);
    private readonly Member[] _header;
    private readonly Member[] _payload;
    private readonly string _signature;
    private readonly long _now;

    public HostileTokenGen(LocalIssuer issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        _signingKey = issuer.SigningKey.Rsa;
        _now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        KeyId = issuer.SigningKey.Id;
        Issuer = issuer.Issuer;
        Audience = issuer.Audience;
        _header = [Plain("alg", "\"RS256\""), Plain("typ", "\"JWT\""), Plain("kid", Quote(KeyId))];
        _payload =
        [
            Plain("iss", Quote(Issuer)),
            Plain("sub", Quote(issuer.ClientId + "@clients")),
            Plain("aud", Quote(Audience)),
            Plain("iat", Number(_now)),
            Plain("exp", Number(_now + 3600)),
            Plain("azp", Quote(issuer.ClientId)),
            Plain("scope", "\"read:messages\""),
            Plain("permissions", "[\"read:messages\"]"),
        ];
        ValidToken = SignedToken(Serialize(_header, ""), Serialize(_payload, ""));
        _signature = ValidToken[(ValidToken.LastIndexOf('.') + 1)..];
        Cases = Build();
    }

    public string KeyId { get; }

    public string Issuer { get; }

    public string Audience { get; }

    /// <summary>The token every case is made from: valid for an hour from the generator's creation.</summary>
    public string ValidToken { get; }

    public Gen<HostileCase> Cases { get; }

    /// <summary>Text with control, bidi, non-ASCII and surrogate characters escaped, so a report shows them.</summary>
    public static string Show(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var shown = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            shown.Append(c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:x4}");
        }

        return shown.ToString();
    }

    /// <summary>Bytes as text where they are printable ASCII, and as \xNN where not.</summary>
    public static string Show(ReadOnlySpan<byte> bytes)
    {
        var shown = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            shown.Append(b is >= (byte)' ' and <= (byte)'~' ? ((char)b).ToString() : $"\\x{b:x2}");
        }

        return shown.ToString();
    }

    private Gen<HostileCase> Build()
    {
        var token = Gen.Frequency(
            (2, Gen.Const(("valid", "unchanged", ValidToken, false))),
            (15, SegmentMutations()),
            (35, ByteMutations()),
            (24, JsonMutations(reSign: false)),
            (6, JsonMutations(reSign: true)),
            (5, Garbage()));
        return Gen.Select(token, HeaderShapes(), (t, shape) =>
        {
            var (family, recipe, text, reSigned) = t;
            // White space around the token is no part of it: the validator trims it.
            var changed = !reSigned && !SigningInput(text.Trim()).SequenceEqual(SigningInput(ValidToken));
            var (shapeRecipe, authorization) = shape(text);
            return new HostileCase(family, shapeRecipe.Length == 0 ? recipe : $"{recipe}; {shapeRecipe}", authorization, reSigned, changed);
        });
    }

    // Segments of the valid token dropped, duplicated, emptied, swapped, or joined by extra dots.
    private Gen<(string, string, string, bool)> SegmentMutations()
    {
        var index = Gen.Int[0, 2];
        var op = Gen.OneOf<(string Name, Func<List<string>, int, int, List<string>> Apply)>(
            ("drop", (s, i, _) => [.. s.Where((_, k) => k != i % s.Count)]),
            ("duplicate", (s, i, _) => [.. s.Take((i % s.Count) + 1), s[i % s.Count], .. s.Skip((i % s.Count) + 1)]),
            ("empty", (s, i, _) => [.. s.Select((x, k) => k == i % s.Count ? "" : x)]),
            ("swap", (s, i, j) => [.. s.Select((x, k) => k == i % s.Count ? s[j % s.Count] : k == j % s.Count ? s[i % s.Count] : x)]),
            ("leading dot", (s, _, _) => ["", .. s]),
            ("trailing dot", (s, _, _) => [.. s, ""]),
            ("append signature", (s, _, _) => [.. s, _signature]));
        var edit = Gen.Select(op, index, index, (o, i, j) => (o.Name, o.Apply, i, j));
        return edit.Array[1, 3].Select(edits =>
        {
            var segments = ValidToken.Split('.').ToList();
            foreach (var (_, apply, i, j) in edits)
            {
                segments = segments.Count == 0 ? segments : apply(segments, i, j);
            }

            return ("segments", string.Join(", ", edits.Select(e => $"{e.Name}({e.i},{e.j})")), string.Join('.', segments), false);
        });
    }

    // Bytes flipped, inserted or deleted in one segment: in its decoded bytes (then encoded again) or in its base64url text.
    private Gen<(string, string, string, bool)> ByteMutations()
    {
        var hostileChar = Gen.Frequency(
            (8, Gen.Char[Base64UrlAlphabet]),
            (2, Gen.OneOf('=', '+', '/', '.', ' ', '\t', '%', '\0', '\u00e9', '\u202e', '\ufffd', '\ud800', '\udc00')));
        var op = Gen.Frequency<(string Name, int Position, int Value)>(
            (3, Gen.Select(Gen.Int[0, 4096], Gen.Int[0, 7], (p, b) => ("flip", p, b))),
            (2, Gen.Select(Gen.Int[0, 4096], Gen.Byte, (p, b) => ("insert", p, (int)b))),
            (2, Gen.Select(Gen.Int[0, 4096], hostileChar, (p, c) => ("insert char", p, (int)c))),
            (2, Gen.Int[0, 4096].Select(p => ("delete", p, 0))));
        return Gen.Select(Gen.Int[0, 2], Gen.Bool, op.Array[1, 3], (segment, decoded, ops) =>
        {
            var segments = ValidToken.Split('.');
            segments[segment] = decoded
                ? Base64Url.EncodeToString(SequenceEdits.Apply(Base64Url.DecodeFromChars(segments[segment]).ToList(), ops, b => (byte)b, (b, bit) => (byte)(b ^ (1 << bit))).ToArray())
                : new string(SequenceEdits.Apply(segments[segment].ToList(), ops, c => (char)c, (c, bit) => (char)(c ^ (1 << bit))).ToArray());
            var recipe = $"segment {segment} {(decoded ? "decoded" : "base64url")}: " + string.Join(", ", ops.Select(o => $"{o.Name}@{o.Position}({o.Value})"));
            return ("bytes", recipe, string.Join('.', segments), false);
        });
    }

    // The header's and the payload's members changed, then the JSON text around them; signed anew or not.
    private Gen<(string, string, string, bool)> JsonMutations(bool reSign)
    {
        var headerPart = Part(HeaderEdit(), _header);
        var payloadPart = Part(PayloadEdit(), _payload);
        var unchanged = Gen.Const<(string, byte[]?)>(("", null));
        var target = Gen.Frequency(
            (2, Gen.Select(headerPart, unchanged)),
            (5, Gen.Select(unchanged, payloadPart)),
            (1, Gen.Select(headerPart, payloadPart)));
        return target.Select(parts =>
        {
            var ((headerRecipe, header), (payloadRecipe, payload)) = parts;
            header ??= Serialize(_header, "");
            payload ??= Serialize(_payload, "");
            var text = reSign ? SignedToken(header, payload) : $"{Base64Url.EncodeToString(header)}.{Base64Url.EncodeToString(payload)}.{_signature}";
            var recipe = string.Join("; ", new[] { headerRecipe, payloadRecipe }.Where(r => r.Length > 0)) + (reSign ? "; re-signed" : "");
            return (reSign ? "json re-signed" : "json", recipe, text, reSign);
        });

        static Gen<(string, byte[]?)> Part(Gen<Edit> edit, Member[] initial) =>
            Gen.Select(edit.Array[1, 3], Layout(), TextChanges(), (edits, layout, change) =>
            {
                var members = edits.Aggregate(new List<Member>(initial), (m, e) => e.Apply(m));
                var json = change.Apply(Serialize(members, layout));
                var recipe = string.Join(", ", edits.Select(e => e.Name)) + (layout.Length > 0 ? $", spaced with {Show(layout)}" : "") + change.Name;
                return (recipe, (byte[]?)json);
            });
    }

    private Gen<Edit> HeaderEdit()
    {
        var algForms = Gen.OneOf(
            "\"none\"", "\"None\"", "\"NONE\"", "\"HS256\"", "\"RS256\"", "\"RS384\"", "\"RS512\"", "\"PS256\"", "\"ES256\"", "\"\"",
            "\"rs256\"", "\"RS256 \"", "\"RS256\\u0000\"", "\"\\u0052S256\"", "256", "null", "[\"RS256\"]", "{\"alg\":\"RS256\"}", "true")
            .Select(Fragment.Of);
        var kidForms = Gen.OneOf(
            Gen.OneOf(
                "\"\"", "123", "[\"" + KeyId + "\"]", "{\"kid\":\"" + KeyId + "\"}", "null", "true", "\"unknown-kid\"",
                Quote(KeyId + " "), Quote(KeyId.ToUpperInvariant()), "\"\\u0000\"", "\"\\r\\nINFO forged line\"", "\"\\u001b[2J\"",
                "\"\\u202e\"", "\"\\ud800\"", "\"\\u006c" + KeyId[1..] + "\"").Select(Fragment.Of),
            Gen.Int[100, 12_000].Select(n => Fragment.Of(Quote(new string('k', n)))));
        var name = Gen.OneOf("alg", "kid", "typ", "crit", "jku", "x5u", "jwk", "cty", "b64", "zip", "enc");
        return Gen.Frequency(
            (4, algForms.Select(v => Edit.Set("alg", v))),
            (4, kidForms.Select(v => Edit.Set("kid", v))),
            (1, Gen.Const(Edit.Remove("kid"))),
            (1, Gen.Const(Edit.Remove("alg"))),
            (3, CommonEdits(name)));
    }

    private Gen<Edit> PayloadEdit()
    {
        var name = Gen.OneOf("iss", "aud", "exp", "nbf", "iat", "sub", "azp", "scope", "permissions", "jti");
        return CommonEdits(name);
    }

    private Gen<Edit> CommonEdits(Gen<string> name)
    {
        var oddName = Gen.OneOf("\"\"", "\"\\u0000\"", "\"\xff\"", "\"\\ud800\"", "\"a\\\"b\"", "\"\u202e\"").Select(Fragment.Latin1);
        return Gen.Frequency(
            (6, Gen.Select(name, HostileValue(), (n, v) => Edit.Set(n, v))),
            (2, name.Select(n => Edit.Remove(n))),
            (2, Gen.Select(name, Gen.Bool, (n, escaped) => Edit.Duplicate(n, escaped, value: null))),
            (2, Gen.Select(name, Gen.Bool, HostileValue(), (n, escaped, v) => Edit.Duplicate(n, escaped, v))),
            (2, name.Select(n => Edit.EscapeName(n))),
            (1, Gen.Select(oddName, HostileValue(), (n, v) => Edit.Add(n, v))),
            (1, Gen.Int[1, 9].Select(k => Edit.Rotate(k))));
    }

    // Wrong types, odd and huge numbers, odd Unicode (escaped and as raw, invalid UTF-8), deep nesting, and the right values.
    private Gen<Fragment> HostileValue()
    {
        var constants = Gen.OneOf(
            "0", "-0", "1", "-1", "1.5", "1e400", "-1e400", "1e-400", "1E3", "99999999999999999999", "253402300799", "253402300800",
            "9007199254740993", Number(_now + 3600), Number(_now - 3600), Number(_now + 86_400), Number(_now - 60), Number(_now) + ".5",
            "NaN", "Infinity", "-Infinity", "01", "+1", ".5", "1.", "0x10", "1e", "--1",
            "true", "false", "null", "tru", "nul",
            "\"\"", "\"x\"", Quote(Issuer), Quote(Audience), Quote(Audience.TrimEnd('/')), Quote(Number(_now + 3600)),
            "\"\\ud800\"", "\"\\udc00x\"", "\"\\ud83d\\ude00\"", "\"\\u0000\"", "\"\\u202e\"", "\"\u202e\"", "\"\\r\\n\\u001b[31m\"",
            "\"\x01\"", "\"\xc3\x28\"", "\"\xff\"", "\"\xed\xa0\x80\"", "\"\xc0\xaf\"", "\"\xf4\x90\x80\x80\"", "\"\x80\"", "\"\xef\xbb\xbf\"",
            "\"abc", "\"\\x\"", "\"\\u12\"",
            "[]", "[1]", "[\"x\"]", "[null]", $"[{Quote(Audience)}]", $"[{Quote(Audience)},1]", $"[{Quote(Audience)},null]",
            $"[[{Quote(Audience)}]]", $"[{Quote(Audience)},{{}}]", $"[{Quote(Audience)},{Quote(Audience)}]", $"[{Quote(Issuer)}]",
            "{}", "{\"a\":1}", "{\"a\":1,\"a\":2}", "{\"\\u0061\":1,\"a\":2}", "[1e400]", "{\"a\":1e400}")
            .Select(Fragment.Latin1);
        return Gen.Frequency(
            (20, constants),
            (1, Gen.Int[1, 200].Select(d => Fragment.Of(new string('[', d) + new string(']', d)))),
            (1, Gen.Int[1, 200].Select(d => Fragment.Of(string.Concat(Enumerable.Repeat("{\"a\":", d)) + "1" + new string('}', d)))),
            (1, Gen.Int[0, 14_000].Select(n => Fragment.Of(Quote(new string('a', n))))));
    }

    // White space between every JSON token: allowed, so a re-signed token spaced out must still verify.
    private static Gen<string> Layout() => Gen.Frequency((6, Gen.Const("")), (1, Gen.OneOf(" ", "\n", "\t", "\r\n  ")));

    private static Gen<TextChange> TextChanges()
    {
        var extra = Gen.OneOf(
            "xyz", "{}", "{\"scope\":\"admin:all\"}", " ", "\n", "\0", ",", "]", "}", "\xff", "//c", "/* */", "\xef\xbb\xbf");
        return Gen.Frequency(
            (12, Gen.Const(new TextChange("", json => json))),
            (3, extra.Select(e => new TextChange($", then {Show(Fragment.Latin1(e).Bytes)}", json => [.. json, .. Fragment.Latin1(e).Bytes]))),
            (1, extra.Select(e => new TextChange($", after {Show(Fragment.Latin1(e).Bytes)}", json => [.. Fragment.Latin1(e).Bytes, .. json]))),
            (1, Gen.Const(new TextChange(", twice", json => [.. json, .. json]))),
            (1, Gen.Const(new TextChange(", in an array", json => [(byte)'[', .. json, (byte)']']))),
            (1, Gen.Int[0, 120].Select(n => new TextChange($", cut to {n} bytes", json => json[..Math.Min(n, json.Length)]))),
            (1, Gen.OneOf("", "null", "[]", "\"x\"", "1", "{", "}", "[{}]", "\xef\xbb\xbf{}")
                .Select(t => new TextChange($", replaced by {Show(Fragment.Latin1(t).Bytes)}", _ => Fragment.Latin1(t).Bytes))));
    }

    // Random text: base64url-looking strings with dots, and arbitrary Unicode.
    private static Gen<(string, string, string, bool)> Garbage() =>
        Gen.OneOf(Gen.Char[Base64UrlAlphabet + "..."].Array[0, 400].Select(c => new string(c)), Gen.String)
            .Select(text => ("garbage", "random text", text, false));

    // Schemes, separators and white space around the token; most cases use the plain "Bearer <token>".
    private static Gen<Func<string, (string, string?)>> HeaderShapes()
    {
        var scheme = Gen.OneOf("Bearer", "bearer", "BEARER", "BeArEr", "Basic", "Digest", "Token", "Bearer,", "Bearerx", "", "Bearer\u00a0");
        var separator = Gen.OneOf(" ", "  ", "\t", "", " \t", "\u00a0");
        var around = Gen.OneOf("", " ", "\t", "\r\n", " x", ",");
        var shaped = Gen.Select(scheme, separator, around, around, (s, sep, before, after) =>
            (Func<string, (string, string?)>)(t => ($"shape {Show(before)}|{Show(s)}|{Show(sep)}|token|{Show(after)}", before + s + sep + t + after)));
        var fixedShapes = Gen.OneOf<Func<string, (string, string?)>>(
            _ => ("no header", null),
            _ => ("empty header", ""),
            _ => ("blank header", "   "),
            _ => ("scheme only", "Bearer"),
            _ => ("scheme and space only", "Bearer "),
            t => ("no scheme", t),
            t => ("two headers joined", $"Bearer {t}, Bearer {t}"));
        return Gen.Frequency(
            (16, Gen.Const<Func<string, (string, string?)>>(t => ("", "Bearer " + t))),
            (3, shaped),
            (1, fixedShapes));
    }

    private string SignedToken(byte[] header, byte[] payload)
    {
        var input = $"{Base64Url.EncodeToString(header)}.{Base64Url.EncodeToString(payload)}";
        // Signed over raw bytes rather than with LocalIssuer.SignText, whose text cannot carry invalid UTF-8.
        var signature = _signatures.GetOrAdd(input, i =>
            Base64Url.EncodeToString(_signingKey.SignData(Encoding.ASCII.GetBytes(i), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
        return $"{input}.{signature}";
    }

    private static ReadOnlySpan<char> SigningInput(string token) => token.AsSpan(0, Math.Max(token.LastIndexOf('.'), 0));

    private static byte[] Serialize(IEnumerable<Member> members, string space) =>
        SequenceEdits.JsonObject(members.Select(m => (m.RawName, m.Value.Bytes)), space);

    private static Member Plain(string name, string value) => new(name, Fragment.Of(Quote(name)).Bytes, Fragment.Of(value));

    private static string Quote(string text) => "\"" + text + "\"";

    private static string Number(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A JSON fragment as raw bytes, which need not be valid JSON or UTF-8.</summary>
    private sealed record Fragment(byte[] Bytes)
    {
        public static Fragment Of(string text) => new(Encoding.UTF8.GetBytes(text));

        // Characters up to U+00FF stand for single bytes, so constants can hold invalid UTF-8; anything above is UTF-8.
        public static Fragment Latin1(string text) =>
            new(text.All(c => c <= '\u00ff') ? Encoding.Latin1.GetBytes(text) : Encoding.UTF8.GetBytes(text));

        // Long values (a 12,000-character kid) are cut, so a report stays readable.
        public override string ToString() => Bytes.Length <= 80 ? Show(Bytes) : $"{Show(Bytes.AsSpan(0, 40))}...({Bytes.Length} bytes)";
    }

    /// <summary>A member: its name as compared (unescaped), its name as written, and its value as written.</summary>
    private sealed record Member(string Name, byte[] RawName, Fragment Value);

    private sealed record TextChange(string Name, Func<byte[], byte[]> Apply);

    /// <summary>A change to the members of the header or the payload, named for the report.</summary>
    private sealed record Edit(string Name, Func<List<Member>, List<Member>> Apply)
    {
        public static Edit Set(string name, Fragment value) => new($"set {name}={value}", members =>
        {
            var at = members.FindIndex(m => m.Name == name);
            var member = new Member(name, Fragment.Of(Quote(name)).Bytes, value);
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

        public static Edit Remove(string name) =>
            new($"remove {name}", members => [.. members.Where(m => m.Name != name)]);

        // A second member of the same name, written plainly or with its first character as a \u escape ("\u0069ss").
        public static Edit Duplicate(string name, bool escaped, Fragment? value) =>
            new($"duplicate {(escaped ? "escaped " : "")}{name}{(value is null ? "" : "=" + value)}", members =>
            {
                var existing = members.Find(m => m.Name == name) ?? new Member(name, Fragment.Of(Quote(name)).Bytes, Fragment.Of("\"x\""));
                var rawName = escaped ? EscapedName(name) : Fragment.Of(Quote(name)).Bytes;
                members.Add(new Member(name, rawName, value ?? existing.Value));
                return members;
            });

        public static Edit EscapeName(string name) => new($"escape name {name}", members =>
            [.. members.Select(m => m.Name == name ? m with { RawName = EscapedName(name) } : m)]);

        public static Edit Add(Fragment rawName, Fragment value) =>
            new($"add {rawName}={value}", members => [.. members, new Member(rawName.ToString(), rawName.Bytes, value)]);

        public static Edit Rotate(int by) =>
            new($"rotate members by {by}", members => [.. members.Skip(by % Math.Max(members.Count, 1)), .. members.Take(by % Math.Max(members.Count, 1))]);

        private static byte[] EscapedName(string name) => Fragment.Of($"\"\\u{(int)name[0]:x4}{name[1..]}\"").Bytes;
    }
}
