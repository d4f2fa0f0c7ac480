using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace FunctionApp.Auth;

/// <summary>
/// The JSON rules a compact JWS, access token or DPoP proof, must meet before IdentityModel reads it, checked by
/// System.Text.Json: three base64url segments (a five-segment JWE is refused, never decrypted), and a header and a
/// payload that are each exactly one JSON object (RFC 7519 7.2) with nothing after it, no member name twice in any
/// object (RFC 7515 5.2; names compared unescaped), at most 32 levels deep, valid UTF-8 and escapes throughout. With
/// these, every parser that reads the token afterwards sees the same members.
/// </summary>
internal static class StrictJws
{
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false, MaxDepth = 32 };

    // The characters of a compact JWS: base64url segments joined by dots, no padding.
    private static readonly SearchValues<char> CompactJwsChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    // Year 9999: a NumericDate beyond it cannot be a DateTime, and a negative one is no real token's.
    private const double LatestNumericDate = 253_402_300_799;

    /// <summary>
    /// The header and payload of <paramref name="jws"/> when it meets the rules above; the caller disposes both. The
    /// signature segment is left to the verifier: one that is no base64url fails there like a wrong one.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> jws, out JsonDocument? header, out JsonDocument? payload) =>
        TryParse(jws, out header, out payload, out _);

    /// <summary>As <see cref="TryParse(ReadOnlySpan{char}, out JsonDocument?, out JsonDocument?)"/>, with the payload's bytes as signed.</summary>
    public static bool TryParse(ReadOnlySpan<char> jws, out JsonDocument? header, out JsonDocument? payload, out byte[]? payloadJson)
    {
        (header, payload, payloadJson) = (null, null, null);
        var firstDot = jws.IndexOf('.');
        var lastDot = jws.LastIndexOf('.');
        if (jws.ContainsAnyExcept(CompactJwsChars) || jws.Count('.') != 2 || firstDot == 0 || lastDot == firstDot + 1)
        {
            return false;
        }

        header = TryParseObject(jws[..firstDot], out _);
        payload = header is null ? null : TryParseObject(jws[(firstDot + 1)..lastDot], out payloadJson);
        if (payload is null)
        {
            header?.Dispose();
            header = null;
            return false;
        }

        return true;
    }

    /// <summary>
    /// True when the member <paramref name="name"/> is absent, or a JSON number from 0 to the year 9999 (RFC 7519 2,
    /// NumericDate): IdentityModel alone would also read a string.
    /// </summary>
    public static bool IsNumericDateOrAbsent(JsonElement claims, string name) =>
        !claims.TryGetProperty(name, out var value)
        || (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var seconds) && double.IsFinite(seconds) && seconds is >= 0 and <= LatestNumericDate);

    /// <summary>True when the member <paramref name="name"/> is absent, JSON null, or of <paramref name="kind"/>.</summary>
    public static bool IsOrAbsent(JsonElement element, string name, JsonValueKind kind) =>
        !element.TryGetProperty(name, out var value) || value.ValueKind == kind || value.ValueKind == JsonValueKind.Null;

    /// <summary>The member <paramref name="name"/> when it is a string; null otherwise.</summary>
    public static string? StringMember(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonDocument? TryParseObject(ReadOnlySpan<char> segment, out byte[]? json)
    {
        json = null;
        // DecodeFromChars throws for a segment that is no base64url, such as one of 4n+1 characters.
        if (!Base64Url.IsValid(segment))
        {
            return null;
        }

        json = Base64Url.DecodeFromChars(segment);
        // JsonDocument keeps the bytes as they are: UTF-8 is checked here, escapes below.
        if (!Utf8.IsValid(json))
        {
            return null;
        }

        JsonDocument? document = null;
        try
        {
            document = JsonDocument.Parse(json, Strict);
            if (document.RootElement.ValueKind == JsonValueKind.Object && (json.AsSpan().IndexOf("\\u"u8) < 0 || EscapesDecode(document.RootElement)))
            {
                return document;
            }
        }
        catch (JsonException)
        {
            // Not JSON, a second value after the first, a name twice, or too deep.
        }
        catch (InvalidOperationException)
        {
            // A name whose escape decodes to invalid UTF-16, met while looking for duplicates.
        }

        document?.Dispose();
        return null;
    }

    // An escape that decodes to invalid UTF-16, such as a lone surrogate, makes GetString throw.
    private static bool EscapesDecode(JsonElement element)
    {
        try
        {
            return Decodes(element);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool Decodes(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString() is not null,
        JsonValueKind.Object => element.EnumerateObject().All(member => member.Name is not null && Decodes(member.Value)),
        JsonValueKind.Array => element.EnumerateArray().All(Decodes),
        _ => true,
    };
}
