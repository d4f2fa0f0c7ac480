using FunctionApp.Tests.Support;

namespace FunctionApp.Tests;

/// <summary>What the documents promise is what the tests assert.</summary>
public sealed class DocsTests
{
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
}
