using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Publishing;

/// <summary>
/// Runs a real `dotnet run --disable-build-servers` with a stand-in `func` first on its PATH in place of Azure
/// Functions Core Tools. The stand-in passes Worker.Sdk's `func --version` check; started for anything else, it
/// writes down its working directory, whether a local.settings.json is there, and its arguments, then exits.
/// </summary>
public static class FuncStandIn
{
    private const string RecordVariable = "FUNC_STAND_IN_RECORD";

    // Worker.Sdk's _FunctionsCheckForCoreTools looks only at the exit code of `func --version`.
    private const string Script = """
        #!/bin/sh
        if [ "$*" = "--version" ]; then
          exit 0
        fi
        {
          pwd -P
          if [ -f local.settings.json ]; then echo present; else echo absent; fi
          printf '%s\n' "$@"
        } > "$FUNC_STAND_IN_RECORD"
        """;

    /// <summary>What the stand-in saw when `dotnet run` started it.</summary>
    public sealed record Start(string WorkingDirectory, bool LocalSettingsBeside, IReadOnlyList<string> Arguments);

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static async Task<Start> DotnetRunAsync(string workingDirectory, params string[] arguments)
    {
        var folder = Path.Combine(Path.GetTempPath(), "func-stand-in-" + Guid.NewGuid().ToString("N"));
        var record = Path.Combine(folder, "record");
        Directory.CreateDirectory(folder);
        try
        {
            var func = Path.Combine(folder, "func");
            await File.WriteAllTextAsync(func, Script);
            File.SetUnixFileMode(func, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            var environment = new Dictionary<string, string>
            {
                ["PATH"] = folder + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
                [RecordVariable] = record,
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                ["DOTNET_NOLOGO"] = "1",
            };
            var (exitCode, output, errors) = await ToolProcess.RunAsync(
                "dotnet", ["run", "--disable-build-servers", .. arguments], workingDirectory, environment);
            if (exitCode != 0 || !File.Exists(record))
            {
                throw new InvalidOperationException(
                    $"dotnet run {string.Join(' ', arguments)} in {workingDirectory} exited with {exitCode}, " +
                    $"func {(File.Exists(record) ? "started" : "never started")}:\n{output}\n{errors}");
            }

            var lines = await File.ReadAllLinesAsync(record);
            return new Start(lines[0], lines[1] == "present", lines[2..]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
