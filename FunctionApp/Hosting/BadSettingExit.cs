using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FunctionApp.Hosting;

/// <summary>Runs the worker; a bad setting ends it with one line on standard error that names the setting.</summary>
internal static class BadSettingExit
{
    // The Functions host logs a worker's standard-error line at once only when it starts with this prefix; it queues any
    // other line for a service of its job host to write, which under `func start` showed it about 60 s late. The host
    // strips the prefix and, as the rest contains "Error", logs the line as an error, which `func start` shows by default.
    private const string HostLogPrefix = "LanguageWorkerConsoleLog";

    // Neither 0 nor 200, which the host reads as a clean stop and as a request to restart.
    private const int ExitCode = 1;

    /// <summary>
    /// Runs <paramref name="host"/> until it stops and returns 0; if a setting fails its check, writes the failure as one
    /// line to <paramref name="standardError"/> instead of letting the exception's stack trace out, and returns 1.
    /// </summary>
    public static int RunOrReportBadSetting(this IHost host, TextWriter standardError)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(standardError);
        try
        {
            host.Run();
            return 0;
        }
        catch (OptionsValidationException e)
        {
            standardError.WriteLine(Line(e));
            standardError.Flush();
            return ExitCode;
        }
    }

    private static string Line(OptionsValidationException e) =>
        $"{HostLogPrefix}Error: the worker cannot start: {e.Message.ReplaceLineEndings(" ")}";
}
