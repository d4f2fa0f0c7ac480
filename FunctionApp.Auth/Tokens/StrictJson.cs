using System.Text.Json;
using System.Text.Unicode;

namespace FunctionApp.Auth;

/// <summary>
/// The JSON rules every token part must meet before any other parser sees it: exactly one JSON object (RFC 7519 7.2),
/// no member name twice in any object (RFC 7515 5.2, RFC 7519 4), valid UTF-8 and escapes throughout, and dates that
/// are plain numbers. With these, every parser that reads the part afterwards sees the same claims.
/// </summary>
internal static class StrictJson
{
    private const int MaxDepth = 32;

    // Year 9999: a NumericDate beyond it cannot be a DateTime, and a negative one is no real token's.
    private const double LatestNumericDate = 253_402_300_799;

    /// <summary>
    /// True when <paramref name="json"/> is one object meeting the rules above; top-level members named in
    /// <paramref name="numericDates"/> must be numbers from 0 to year 9999 (RFC 7519 2, NumericDate).
    /// </summary>
    public static bool IsStrictObject(ReadOnlySpan<byte> json, ReadOnlySpan<string> numericDates)
    {
        try
        {
            return Check(json, numericDates);
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            // An escape that decodes to invalid UTF-16, such as a lone surrogate.
            return false;
        }
    }

    private static bool Check(ReadOnlySpan<byte> json, ReadOnlySpan<string> numericDates)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        var names = new Stack<HashSet<string>>();
        names.Push(new HashSet<string>(StringComparer.Ordinal));
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    names.Push(new HashSet<string>(StringComparer.Ordinal));
                    break;
                case JsonTokenType.EndObject:
                    names.Pop();
                    break;
                case JsonTokenType.PropertyName:
                    // Compared unescaped: "iss" and "\u0069ss" are the same name.
                    var name = reader.GetString()!;
                    if (!names.Peek().Add(name))
                    {
                        return false;
                    }

                    if (names.Count == 1 && numericDates.Contains(name))
                    {
                        if (!reader.Read() || !IsNumericDate(ref reader))
                        {
                            return false;
                        }
                    }

                    break;
                case JsonTokenType.String when !IsValidString(ref reader):
                    return false;
            }

            if (names.Count == 0)
            {
                // The object has ended: anything after it but white space makes Read throw.
                return !reader.Read();
            }
        }

        return false;
    }

    /// <summary>
    /// The header members validation uses, from a header already found strict: false when <c>alg</c> or <c>kid</c>
    /// is there with a type other than a string (JSON null reads as absent).
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> json, out string? alg, out string? kid, out bool critical)
    {
        (alg, kid, critical) = (null, null, false);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isAlg = reader.ValueTextEquals("alg"u8);
            var isKid = !isAlg && reader.ValueTextEquals("kid"u8);
            critical |= reader.ValueTextEquals("crit"u8);
            reader.Read();
            if (isAlg || isKid)
            {
                if (!TryReadString(ref reader, out var value))
                {
                    return false;
                }

                (alg, kid) = isAlg ? (value, kid) : (alg, value);
            }

            reader.Skip();
        }

        return true;
    }

    /// <summary>
    /// The registered claims validation uses, from a payload already found strict (so its dates are numbers): false
    /// when <c>iss</c> is not a string, <c>aud</c> neither a string nor an array of strings, <c>cnf</c> not an object
    /// or its <c>jkt</c> not a string.
    /// </summary>
    public static bool TryReadClaims(ReadOnlySpan<byte> json, out RegisteredClaims claims)
    {
        claims = new RegisteredClaims { Audiences = [] };
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Names compared unescaped, as the strict reader compared them: "\u0065xp" is exp.
            if (reader.ValueTextEquals("exp"u8))
            {
                reader.Read();
                claims.Expires = reader.GetDouble();
            }
            else if (reader.ValueTextEquals("nbf"u8))
            {
                reader.Read();
                claims.NotBefore = reader.GetDouble();
            }
            else if (reader.ValueTextEquals("iat"u8))
            {
                reader.Read();
                claims.IssuedAt = reader.GetDouble();
            }
            else if (reader.ValueTextEquals("iss"u8))
            {
                reader.Read();
                if (!TryReadString(ref reader, out claims.Issuer))
                {
                    return false;
                }
            }
            else if (reader.ValueTextEquals("aud"u8))
            {
                reader.Read();
                if (!TryReadAudiences(ref reader, claims.Audiences))
                {
                    return false;
                }
            }
            else if (reader.ValueTextEquals("cnf"u8))
            {
                reader.Read();
                if (!TryReadConfirmation(ref reader, ref claims))
                {
                    return false;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return true;
    }

    // RFC 7800 3.1: cnf is an object of confirmation methods; RFC 9449 6.1: jkt, a key thumbprint, is DPoP's. Null reads as absent.
    private static bool TryReadConfirmation(ref Utf8JsonReader reader, ref RegisteredClaims claims)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        claims.IsBound = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isThumbprint = reader.ValueTextEquals("jkt"u8);
            reader.Read();
            if (isThumbprint && !TryReadString(ref reader, out claims.KeyThumbprint))
            {
                return false;
            }

            reader.Skip();
        }

        return true;
    }

    private static bool TryReadAudiences(ref Utf8JsonReader reader, List<string> audiences)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            audiences.Add(reader.GetString()!);
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.String)
        {
            audiences.Add(reader.GetString()!);
        }

        return reader.TokenType == JsonTokenType.EndArray;
    }

    /// <summary>The member <paramref name="name"/> of an object read from strict JSON, when it is a string; null otherwise.</summary>
    public static string? StringMember(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // A string, or null read as no value; false for anything else.
    private static bool TryReadString(ref Utf8JsonReader reader, out string? value)
    {
        value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return reader.TokenType is JsonTokenType.String or JsonTokenType.Null;
    }

    private static bool IsNumericDate(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number
        && reader.TryGetDouble(out var value)
        && double.IsFinite(value)
        && value is >= 0 and <= LatestNumericDate;

    private static bool IsValidString(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped ? reader.GetString() is not null : Utf8.IsValid(reader.ValueSpan);
}
