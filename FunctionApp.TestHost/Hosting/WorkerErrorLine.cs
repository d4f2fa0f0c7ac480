using Microsoft.Extensions.Logging;

namespace FunctionApp.TestHost.Hosting;

/// <summary>
/// How the genuine host reads a line the worker writes to standard error (its WorkerProcess.ParseErrorMessageAndLog and
/// BuildAndLogConsoleLog), so that what the TestHost logs is what `func start` would show.
/// </summary>
public static class WorkerErrorLine
{
    // The genuine host logs a line that starts with this at once, without the prefix; it hands any other line to its
    // job host's console log, which the TestHost, having no job host to wait for, also logs at once.
    private const string HostLogPrefix = "LanguageWorkerConsoleLog";

    // Graded by words anywhere in the line, "warn" before the others, as the genuine host does; the prefix plays no part.
    private static readonly string[] ErrorWords = ["error", "fail", "severe", "unhandled exception"];

    public static LogLevel LevelOf(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.Contains("warn", StringComparison.OrdinalIgnoreCase))
        {
            return LogLevel.Warning;
        }

        return ErrorWords.Any(word => line.Contains(word, StringComparison.OrdinalIgnoreCase)) ? LogLevel.Error : LogLevel.Information;
    }

    public static string MessageOf(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return line.StartsWith(HostLogPrefix, StringComparison.OrdinalIgnoreCase)
            ? line.Replace(HostLogPrefix, string.Empty, StringComparison.OrdinalIgnoreCase)
            : line;
    }
}
