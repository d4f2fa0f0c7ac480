using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionApp.Auth;

/// <summary>Fetches the signing keys and warms up validation as the worker starts, so the first private request pays for neither.</summary>
internal sealed partial class SigningKeyPrefetcher(
    SigningKeySource keys, Auth0TokenValidator validator, AccessTokenPolicy policy, ILogger<SigningKeyPrefetcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A failure must not stop the app: public functions still work, and private ones retry the fetch.
        var current = await keys.GetAsync(stoppingToken).ConfigureAwait(false);
        if (current is null)
        {
            LogPrefetchFailed(logger, policy.MetadataAddress);
            return;
        }

        validator.WarmUp(current);
        LogReady(logger);
    }

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Token validation is warmed up.")]
    private static partial void LogReady(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "Could not fetch signing keys from {MetadataAddress} at start-up; protected functions answer 503 until they can.")]
    private static partial void LogPrefetchFailed(ILogger logger, Uri metadataAddress);
}
