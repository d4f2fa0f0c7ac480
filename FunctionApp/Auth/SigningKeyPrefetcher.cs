using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionApp.Auth;

/// <summary>Fetches the signing keys as the worker starts, so the first private request does not pay for it.</summary>
public sealed partial class SigningKeyPrefetcher : BackgroundService
{
    private readonly SigningKeySource _keys;
    private readonly Auth0Settings _settings;
    private readonly ILogger<SigningKeyPrefetcher> _logger;

    public SigningKeyPrefetcher(SigningKeySource keys, Auth0Settings settings, ILogger<SigningKeyPrefetcher> logger)
    {
        _keys = keys;
        _settings = settings;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A failure must not stop the app: public functions still work, and private ones retry the fetch.
        if (await _keys.GetAsync(stoppingToken) is null)
        {
            LogPrefetchFailed(_logger, _settings.MetadataAddress);
        }
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "Could not fetch signing keys from {MetadataAddress} at start-up; protected functions answer 503 until they can.")]
    private static partial void LogPrefetchFailed(ILogger logger, Uri metadataAddress);
}
