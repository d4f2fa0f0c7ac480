using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionApp.Auth;

/// <summary>Fetches the signing keys and warms up validation as the worker starts, so the first private request pays for neither.</summary>
internal sealed partial class SigningKeyPrefetcher : BackgroundService
{
    private readonly SigningKeySource _keys;
    private readonly Auth0TokenValidator _validator;
    private readonly AccessTokenPolicy _policy;
    private readonly ILogger<SigningKeyPrefetcher> _logger;

    public SigningKeyPrefetcher(
        SigningKeySource keys, Auth0TokenValidator validator, AccessTokenPolicy policy, ILogger<SigningKeyPrefetcher> logger)
    {
        _keys = keys;
        _validator = validator;
        _policy = policy;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A failure must not stop the app: public functions still work, and private ones retry the fetch.
        var keys = await _keys.GetAsync(stoppingToken).ConfigureAwait(false);
        if (keys is null)
        {
            LogPrefetchFailed(_logger, _policy.MetadataAddress);
            return;
        }

        _validator.WarmUp(keys);
        LogReady(_logger);
    }

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Token validation is warmed up.")]
    private static partial void LogReady(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "Could not fetch signing keys from {MetadataAddress} at start-up; protected functions answer 503 until they can.")]
    private static partial void LogPrefetchFailed(ILogger logger, Uri metadataAddress);
}
