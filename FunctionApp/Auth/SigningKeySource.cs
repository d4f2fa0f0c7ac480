using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace FunctionApp.Auth;

/// <summary>
/// The tenant's signing keys, from the one process-wide configuration manager, with a refresh on unknown kids
/// that is awaited, shared by every request waiting on it, and throttled.
/// </summary>
public sealed class SigningKeySource
{
    /// <summary>IdentityModel's switch that makes a requested refresh happen in the next GetConfigurationAsync, awaited.</summary>
    public const string BlockingRefreshSwitch = "Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking";

    private readonly IConfigurationManager<OpenIdConnectConfiguration> _manager;
    private readonly Auth0Settings _settings;
    private readonly TimeProvider _time;
    private readonly Lock _refreshGate = new();
    private SigningKeys? _current;
    private Task<SigningKeys?>? _refresh;
    private long _lastRefreshStarted = long.MinValue;

    public SigningKeySource(
        IConfigurationManager<OpenIdConnectConfiguration> manager,
        Auth0Settings settings,
        TimeProvider time)
    {
        // Without it IdentityModel refreshes in the background and the request with a newly rotated kid fails.
        if (!AppContext.TryGetSwitch(BlockingRefreshSwitch, out var blocking) || !blocking)
        {
            throw new InvalidOperationException(
                $"Set the runtime option {BlockingRefreshSwitch} to true (see FunctionApp.csproj) so that key refreshes are awaited.");
        }

        _manager = manager;
        _settings = settings;
        _time = time;
    }

    /// <summary>The current keys, or null when none could ever be fetched.</summary>
    public async Task<SigningKeys?> GetAsync(CancellationToken cancellationToken)
    {
        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await _manager.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // The manager throws this only when it has nothing cached to fall back on; it retries on its own schedule.
            return null;
        }

        var current = Volatile.Read(ref _current);
        if (ReferenceEquals(current?.Configuration, configuration))
        {
            return current!;
        }

        // Requests racing past a new configuration all end up with one set, and so with one memory of verified tokens.
        var fresh = new SigningKeys(configuration, _settings);
        var published = Interlocked.CompareExchange(ref _current, fresh, current);
        return ReferenceEquals(published, current) ? fresh : published!;
    }

    /// <summary>
    /// Fetches the keys again because a token named a kid that <paramref name="stale"/> lacks. Requests arriving while a
    /// refresh runs await that one; within the minimum interval of the last refresh the stale keys are returned.
    /// </summary>
    public Task<SigningKeys?> RefreshAsync(SigningKeys stale, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stale);
        lock (_refreshGate)
        {
            var current = Volatile.Read(ref _current);
            if (current is not null && !ReferenceEquals(current, stale))
            {
                return Task.FromResult<SigningKeys?>(current);
            }

            if (_refresh is { IsCompleted: false })
            {
                return _refresh.WaitAsync(cancellationToken);
            }

            var now = _time.GetTimestamp();
            if (_lastRefreshStarted != long.MinValue
                && _time.GetElapsedTime(_lastRefreshStarted, now) < _settings.MinimumRefreshInterval)
            {
                return Task.FromResult<SigningKeys?>(stale);
            }

            _lastRefreshStarted = now;
            _manager.RequestRefresh();
            // The refresh belongs to every waiter, so one caller's cancellation must not cancel it.
            _refresh = GetAsync(CancellationToken.None);
            return _refresh.WaitAsync(cancellationToken);
        }
    }
}
