using System.Diagnostics;

namespace FunctionApp.Tests.Support;

/// <summary>Captures what the demo prints, says when it has flushed its instructions, and runs the commands in them.</summary>
public sealed class DemoInstructions : StringWriter
{
    private readonly TaskCompletionSource<string> _printed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The instructions, once the demo has flushed them.</summary>
    public Task<string> Printed => _printed.Task;

    /// <summary>The printed lines, trimmed, once the demo has flushed them.</summary>
    public async Task<string[]> LinesAsync() =>
        (await Printed.WaitAsync(TimeSpan.FromSeconds(60))).Split('\n').Select(l => l.Trim()).ToArray();

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        _printed.TrySetResult(ToString());
        return Task.CompletedTask;
    }

    /// <summary>Runs a script from the repository root, where the README runs the demo and its printed dotnet run commands.</summary>
    public static async Task<string> BashAsync(string script)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardInput = true, WorkingDirectory = RepositoryFiles.Root };
        using var bash = Process.Start(start)!;
        await bash.StandardInput.WriteAsync(script);
        bash.StandardInput.Close();
        var output = await bash.StandardOutput.ReadToEndAsync();
        await bash.WaitForExitAsync();
        return output.Trim();
    }
}
