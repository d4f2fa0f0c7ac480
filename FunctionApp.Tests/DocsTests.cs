using System.Text.RegularExpressions;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests;

/// <summary>What the documents promise is what the tests assert.</summary>
public sealed partial class DocsTests
{
    [Fact]
    public void Every_command_in_the_README_is_listed_in_testing_md_with_what_runs_it()
    {
        // A command continued with a backslash is listed by its first line (the rest are its options); comments are
        // not commands.
        var inReadme = BashBlock().Matches(RepositoryFiles.Read("README.md"))
            .SelectMany(block => block.Groups["body"].Value.Replace("\\\n", "\n", StringComparison.Ordinal).Split('\n'))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#') && !line.StartsWith('-'))
            .ToArray();
        var listed = RepositoryFiles.Read("docs/testing.md").Split('\n')
            .SkipWhile(line => line != "## The README's commands")
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .Select(line => line.Split('`')[1])
            .ToArray();

        Assert.Equal(inReadme, listed);
    }

    [Fact]
    public void Security_doc_lists_exactly_the_hostile_input_catalogue()
    {
        var documented = RepositoryFiles.Read("docs/security.md")
            .Split('\n')
            .Select(line => line.Trim())
            .SkipWhile(line => line != "## Hostile input")
            .TakeWhile(line => line != "## Faults")
            .Where(line => line.StartsWith('|') && line.Count(c => c == '|') == 4)
            .Select(line => line.Trim('|').Split('|').Select(cell => cell.Trim()).ToArray())
            .Where(cells => int.TryParse(cells[1], out _))
            .Select(cells => $"{cells[0]} | {cells[1]} | {cells[2]}")
            .ToArray();
        var tested = HostileInputs.All.Select(c => $"{c.Name} | {c.Status} | {c.Reason}").ToArray();

        Assert.Equal(tested, documented);
    }

    [GeneratedRegex(@"```bash\n(?<body>.*?)\n\s*```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();
}
