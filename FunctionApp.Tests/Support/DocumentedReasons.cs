using System.Text.RegularExpressions;

namespace FunctionApp.Tests.Support;

/// <summary>The rejection reasons docs/answers.md and docs/dpop.md give, each written there in backticks or as a JSON string.</summary>
public static partial class DocumentedReasons
{
    // Line breaks inside a reason are only the pages' wrapping.
    private static readonly Lazy<string> Pages = new(() =>
        WhiteSpace().Replace(RepositoryFiles.Read("docs/answers.md") + "\n" + RepositoryFiles.Read("docs/dpop.md"), " "));

    public static bool Contains(string reason) =>
        Pages.Value.Contains($"`{reason}`", StringComparison.Ordinal) || Pages.Value.Contains($"\"{reason}\"", StringComparison.Ordinal);

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
