namespace FunctionApp.Tests.Support;

/// <summary>
/// The npm linters pinned in tools/lint/package-lock.json, run with Node. `npm ci --prefix tools/lint` installs them
/// (.ci/run does).
/// </summary>
public static class LintTools
{
    private static readonly Dictionary<string, string> Environment = new()
    {
        // Redocly would otherwise send usage data and look for a newer version over the network.
        ["REDOCLY_TELEMETRY"] = "off",
        ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true",
        // Plain text, whatever the terminal the tests run under.
        ["FORCE_COLOR"] = "0",
    };

    /// <summary>Runs <paramref name="command"/>, one of the tools' commands in tools/lint/node_modules/.bin.</summary>
    public static Task<(int ExitCode, string Output, string Errors)> RunAsync(
        string command, IEnumerable<string> arguments, string workingDirectory)
    {
        var script = RepositoryFiles.PathOf(Path.Combine("tools", "lint", "node_modules", ".bin", command));
        if (!File.Exists(script))
        {
            throw new FileNotFoundException($"{script} is not installed: run `npm ci --prefix tools/lint` (.ci/run does).", script);
        }

        return ToolProcess.RunAsync("node", [script, .. arguments], workingDirectory, Environment);
    }
}
