using System.Globalization;
using System.Text;

namespace FunctionApp.Auth;

/// <summary>
/// Makes a caller-supplied value safe to log: bounded in length, with control, format (bidi) and separator
/// characters written as \uXXXX escapes, so a value cannot forge a log line or reorder what a terminal shows.
/// </summary>
internal static class LogValue
{
    private const int MaxLength = 64;

    public static string? Escape(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var truncated = value.Length > MaxLength;
        var text = new StringBuilder(Math.Min(value.Length, MaxLength) + 8);
        foreach (var rune in value.AsSpan(0, Math.Min(value.Length, MaxLength)).EnumerateRunes())
        {
            if (rune.Value == '\\')
            {
                text.Append(@"\\");
            }
            else if (IsUnsafe(Rune.GetUnicodeCategory(rune)) || rune == Rune.ReplacementChar)
            {
                // Lone surrogates come out of EnumerateRunes as U+FFFD; escaping it keeps the log line plain ASCII there.
                text.Append(CultureInfo.InvariantCulture, $"\\u{rune.Value:X4}");
            }
            else
            {
                text.Append(rune.ToString());
            }
        }

        return truncated ? text.Append('…').ToString() : text.ToString();
    }

    private static bool IsUnsafe(UnicodeCategory category) => category is UnicodeCategory.Control
        or UnicodeCategory.Format
        or UnicodeCategory.LineSeparator
        or UnicodeCategory.ParagraphSeparator
        or UnicodeCategory.Surrogate
        or UnicodeCategory.PrivateUse
        or UnicodeCategory.OtherNotAssigned;
}
