using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace FunctionApp.TestHost.Hosting;

/// <summary>
/// The worker, launched as the genuine host launches it, with its output forwarded to the host's log: standard output
/// as information, standard error as the genuine host grades it.
/// </summary>
public sealed partial class WorkerProcess : IDisposable
{
    private readonly Process _process;

    private WorkerProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public int ExitCode => _process.ExitCode;

    public Task Exited => _process.WaitForExitAsync();

    public static WorkerProcess Start(
        WorkerConfig config, string appDirectory, Uri rpcAddress, string workerId, IReadOnlyDictionary<string, string> settings, ILogger logger)
    {
        var requestId = Guid.NewGuid().ToString();
        var maxMessageLength = int.MaxValue.ToString(CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo(config.Executable)
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(config.WorkerPath);
        foreach (var argument in new[]
        {
            "--host", rpcAddress.Host, "--port", rpcAddress.Port.ToString(CultureInfo.InvariantCulture),
            "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", maxMessageLength,
            "--functions-uri", rpcAddress.AbsoluteUri, "--functions-worker-id", workerId,
            "--functions-request-id", requestId, "--functions-grpc-max-message-length", maxMessageLength,
        })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        start.Environment["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development";
        start.Environment["AzureWebJobsScriptRoot"] = appDirectory;
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Forward(logger, LogLevel.Information, e.Data);
        process.ErrorDataReceived += (_, e) => ForwardError(logger, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new WorkerProcess(process);
    }

    /// <summary>Waits for the worker to leave by itself, then ends it and anything it started.</summary>
    public async Task StopAsync(TimeSpan gracePeriod)
    {
        using var grace = new CancellationTokenSource(gracePeriod);
        try
        {
            await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private static void Forward(ILogger logger, LogLevel level, string? line)
    {
        if (!string.IsNullOrEmpty(line))
        {
            LogOutput(logger, level, line);
        }
    }

    private static void ForwardError(ILogger logger, string? line)
    {
        if (string.IsNullOrEmpty(line))
        {
            return;
        }

        var level = WorkerErrorLine.LevelOf(line);
        var message = WorkerErrorLine.MessageOf(line);
        LogOutput(logger, level, message);
    }

    [LoggerMessage(Message = "{WorkerOutput}")]
    private static partial void LogOutput(ILogger logger, LogLevel level, string workerOutput);
}
