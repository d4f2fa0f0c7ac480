using FunctionApp.Auth;

namespace FunctionApp.Tests.Auth;

/// <summary>What a caller-supplied value looks like in a log line.</summary>
public sealed class LogValueTests
{
    [Theory]
    [InlineData("key-2026", "key-2026")]
    [InlineData("a\r\nb", @"a\u000D\u000Ab")]
    [InlineData("\u001b[31mred", @"\u001B[31mred")]
    [InlineData("nul\0", @"nul\u0000")]
    [InlineData("\u202egnp.exe", @"\u202Egnp.exe")]
    [InlineData("zero\u200bwidth", @"zero\u200Bwidth")]
    [InlineData("line\u2028separator", @"line\u2028separator")]
    [InlineData("paragraph\u2029separator", @"paragraph\u2029separator")]
    [InlineData(@"back\slash", @"back\\slash")]
    [InlineData("ключ-😀", "ключ-😀")]
    public void Control_format_and_separator_characters_are_escaped_and_the_rest_kept(string value, string logged) =>
        Assert.Equal(logged, LogValue.Escape(value));

    [Fact]
    public void A_lone_surrogate_is_escaped_as_the_replacement_character() =>
        Assert.Equal(@"\uFFFDlone", LogValue.Escape(new string([(char)0xD800]) + "lone"));

    [Fact]
    public void Long_values_are_cut_at_64_characters() =>
        Assert.Equal(new string('k', 64) + "…", LogValue.Escape(new string('k', 200)));

    [Fact]
    public void A_value_of_exactly_64_characters_is_kept_whole() =>
        Assert.Equal(new string('k', 64), LogValue.Escape(new string('k', 64)));

    [Fact]
    public void No_value_stays_no_value() => Assert.Null(LogValue.Escape(null));
}
