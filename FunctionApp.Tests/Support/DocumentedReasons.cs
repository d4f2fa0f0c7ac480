using System.Text.RegularExpressions;

namespace FunctionApp.Tests.Support;

/// <summary>The rejection reasons README.md gives, each written there in backticks or as a JSON string.</summary>
public static partial class DocumentedReasons
{
    // Line breaks inside a reason are only the README's wrapping.
    private static readonly Lazy<string> Readme = new(() => WhiteSpace().Replace(RepositoryFiles.Read("README.md"), " "));

    public static bool Contains(string reason) =>
        Readme.Value.Contains($"`{reason}`", StringComparison.Ordinal) || Readme.Value.Contains($"\"{reason}\"", StringComparison.Ordinal);

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
