using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionApp.Auth;

/// <summary>
/// Fetches the signing keys and warms up validation and the DPoP proof check as the worker starts, so the first private
/// request pays for neither.
/// </summary>
internal sealed partial class SigningKeyPrefetcher(
    SigningKeySources sources, Auth0TokenValidator validator, DPoPProofValidator proofs, ILogger<SigningKeyPrefetcher> logger)
    : BackgroundService
{
    // Every domain at once: one that is slow or down delays nobody else's keys. The proof check needs no keys of the
    // tenant's, so it is warmed up beside them, off the thread that starts the host.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(sources.All.Select(source => PrefetchAsync(source, stoppingToken)).Append(Task.Run(proofs.WarmUp, stoppingToken)));

    private async Task PrefetchAsync(SigningKeySource source, CancellationToken stoppingToken)
    {
        // A failure must not stop the app: public functions still work, and private ones retry the fetch.
        var current = await source.GetAsync(stoppingToken).ConfigureAwait(false);
        if (current is null)
        {
            LogPrefetchFailed(logger, source.Domain.MetadataAddress);
            return;
        }

        validator.WarmUp(source.Domain, current);
        LogReady(logger, source.Domain.Issuer);
    }

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Token validation is warmed up for {Issuer}.")]
    private static partial void LogReady(ILogger logger, string issuer);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "Could not fetch signing keys from {MetadataAddress} at start-up; protected functions answer 503 until they can.")]
    private static partial void LogPrefetchFailed(ILogger logger, Uri metadataAddress);
}
