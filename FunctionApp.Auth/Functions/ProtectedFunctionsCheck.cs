using Microsoft.Azure.Functions.Worker.Core.FunctionMetadata;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionApp.Auth;

/// <summary>
/// Reads, as the worker starts, who may call each function the host will load, so that a declaration the middleware
/// could not honour (in any of the app's assemblies) stops start-up instead of failing its first caller.
/// </summary>
internal sealed partial class ProtectedFunctionsCheck(
    ProtectedFunctions functions, IFunctionMetadataProvider metadata, IConfiguration configuration, ILogger<ProtectedFunctionsCheck> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Where the worker itself resolves each function's script file from.
        var directory = configuration["FUNCTIONS_APPLICATION_DIRECTORY"] ?? configuration["FUNCTIONS_WORKER_DIRECTORY"] ?? AppContext.BaseDirectory;
        IEnumerable<IFunctionMetadata> loaded;
        try
        {
            loaded = await metadata.GetFunctionMetadataAsync(directory).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidOperationException)
        {
            // Not knowable now; the middleware still reads each function's declaration before its first call runs.
            LogListFailed(logger, e.GetType().Name);
            return;
        }

        var errors = loaded
            .Where(function => function is { Name: not null, EntryPoint: not null, ScriptFile: not null })
            .Select(function => functions.Resolve(function.Name!, function.EntryPoint!, Path.Combine(directory, function.ScriptFile!)).Error)
            .OfType<string>()
            .ToArray();
        if (errors.Length > 0)
        {
            throw new FunctionDeclarationException(string.Join(" ", errors));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning,
        Message = "Could not list the app's functions at start-up ({Error}); each function's access rule is read on its first call.")]
    private static partial void LogListFailed(ILogger logger, string error);
}
