using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionApp.Auth;

/// <summary>Fetches every domain's signing keys as the worker starts, so the first private request does not wait for them.</summary>
internal sealed partial class SigningKeyStartupFetch(IReadOnlyList<DomainSigningKeys> domains, ILogger<SigningKeyStartupFetch> logger)
    : BackgroundService
{
    // Every domain at once: one that is slow or down delays nobody else's keys.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(domains.Select(keys => FetchAsync(keys, stoppingToken)));

    private async Task FetchAsync(DomainSigningKeys keys, CancellationToken stoppingToken)
    {
        // A failure must not stop the app: public functions still work, and private ones retry the fetch.
        if (await keys.RefreshAsync(null, stoppingToken).ConfigureAwait(false) is null)
        {
            LogFetchFailed(logger, keys.Domain.MetadataAddress);
            return;
        }

        LogReady(logger, keys.Domain.Issuer);
    }

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Signing keys are fetched for {Issuer}.")]
    private static partial void LogReady(ILogger logger, string issuer);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "Could not fetch signing keys from {MetadataAddress} at start-up; protected functions answer 503 until they can.")]
    private static partial void LogFetchFailed(ILogger logger, Uri metadataAddress);
}
