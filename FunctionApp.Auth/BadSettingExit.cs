using System.Text.RegularExpressions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FunctionApp.Auth;

/// <summary>Runs the worker; a bad setting or declaration ends it with one line on standard error that names it.</summary>
public static partial class BadSettingExit
{
    // The Functions host logs a worker's standard-error line at once only when it starts with this prefix; it queues any
    // other line for a service of its job host to write, which under `func start` showed it about 60 s late. The host
    // strips the prefix and, as the rest contains "Error", logs the line as an error, which `func start` shows by default.
    private const string HostLogPrefix = "LanguageWorkerConsoleLog";

    // Neither 0 nor 200, which the host reads as a clean stop and as a request to restart.
    private const int ExitCode = 1;

    /// <summary>
    /// Runs <paramref name="host"/> until it stops and returns 0; if a setting fails its check, cannot be read as the
    /// type it needs, or a function's declaration cannot be honoured, writes the failure as one line to
    /// <paramref name="standardError"/> instead of letting the exception's stack trace out, and returns 1.
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
        catch (Exception e) when (Failure(e) is { } failure)
        {
            standardError.WriteLine($"{HostLogPrefix}Error: the worker cannot start: {failure.ReplaceLineEndings(" ")}");
            standardError.Flush();
            return ExitCode;
        }
    }

    // What the worker's user must fix, or null for a fault of another kind, whose stack trace is worth having.
    private static string? Failure(Exception e) => e switch
    {
        OptionsValidationException or FunctionDeclarationException => e.Message,
        // The configuration binder's own failure to read a value as its property's type: it names the setting's path.
        InvalidOperationException { InnerException: not null } when UnreadableValue().Match(e.Message) is { Success: true } match =>
            $"{match.Groups["path"].Value.Replace(":", "__", StringComparison.Ordinal)} must be {TypeName(match.Groups["type"].Value)}.",
        _ => null,
    };

    private static string TypeName(string type) => type switch
    {
        "System.Int32" or "System.Int64" => "a whole number",
        "System.Boolean" => "true or false",
        _ => "a " + type,
    };

    // The message quotes the value too, which is never repeated: it could be a secret in the wrong setting.
    [GeneratedRegex("^Failed to convert configuration value.* at '(?<path>[^']+)' to type '(?<type>[^']+)'\\.?$", RegexOptions.Singleline)]
    private static partial Regex UnreadableValue();
}
