using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace FunctionApp.Auth;

/// <summary>
/// One domain's signing keys, fetched through that domain's one process-wide configuration manager. A request whose kid is
/// cached never waits for the network: refreshes that are due run in the background, and only a request that needs
/// a refresh (no keys yet, or a kid the keys lack) waits for one, shared by every request that needs it, throttled.
/// </summary>
internal sealed class SigningKeySource
{
    /// <summary>IdentityModel's switch that makes a requested refresh happen in the next GetConfigurationAsync, awaited.</summary>
    public const string BlockingRefreshSwitch = "Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking";

    private readonly ConfigurationManager<OpenIdConnectConfiguration> _manager;
    private readonly AccessTokenPolicy _policy;
    private readonly TimeProvider _time;
    private readonly AccessTokenTelemetry _telemetry;
    private readonly Lock _refreshGate = new();
    private SigningKeys? _current;
    private Task<SigningKeys?> _refresh = Task.FromResult<SigningKeys?>(null);
    private long? _lastRefreshEnded;

    public SigningKeySource(
        Auth0Domain domain,
        ConfigurationManager<OpenIdConnectConfiguration> manager,
        AccessTokenPolicy policy,
        TimeProvider time,
        AccessTokenTelemetry telemetry)
    {
        // Without it IdentityModel refreshes in the background and the request with a newly rotated kid fails.
        if (!AppContext.TryGetSwitch(BlockingRefreshSwitch, out var blocking) || !blocking)
        {
            throw new InvalidOperationException(
                $"Set the runtime option {BlockingRefreshSwitch} to true (UseAuth0AccessTokens does) so that key refreshes are awaited.");
        }

        Domain = domain;
        _manager = manager;
        _policy = policy;
        _time = time;
        _telemetry = telemetry;
    }

    /// <summary>The domain whose keys these are.</summary>
    public Auth0Domain Domain { get; }

    /// <summary>The keys fetched last, without waiting for anything; null before the first fetch succeeds.</summary>
    public SigningKeys? Current => Volatile.Read(ref _current);

    /// <summary>
    /// The current keys, at once when there are some (starting a background refresh when they are due); otherwise
    /// a fetch, awaited. Null when none could ever be fetched.
    /// </summary>
    public ValueTask<SigningKeys?> GetAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        if (current is null)
        {
            return new(FetchAsync("no_keys", cancellationToken));
        }

        if (_time.GetUtcNow() - current.Fetched >= _manager.AutomaticRefreshInterval)
        {
            // Nobody waits for this one; the next requests find its keys when it is done.
            _ = RefreshAsync(current, "automatic", CancellationToken.None);
        }

        return new(current);
    }

    /// <summary>
    /// Fetches the keys again because a token named a kid that <paramref name="stale"/> lacks. Requests arriving while
    /// a refresh runs await that one; within the minimum interval of the last refresh the stale keys are returned.
    /// </summary>
    public Task<SigningKeys?> RefreshAsync(SigningKeys stale, CancellationToken cancellationToken) =>
        RefreshAsync(stale, "unknown_kid", cancellationToken);

    private Task<SigningKeys?> RefreshAsync(SigningKeys stale, string cause, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stale);
        lock (_refreshGate)
        {
            var current = Volatile.Read(ref _current);
            if (current is not null && !ReferenceEquals(current, stale))
            {
                return Task.FromResult<SigningKeys?>(current);
            }

            if (!_refresh.IsCompleted)
            {
                return _refresh.WaitAsync(cancellationToken);
            }

            // Measured from the end of the last refresh, as IdentityModel measures its own RefreshInterval, so that a
            // refresh allowed here is never one the configuration manager ignores.
            if (_lastRefreshEnded is { } ended && _time.GetElapsedTime(ended) < _policy.MinimumRefreshInterval)
            {
                return Task.FromResult<SigningKeys?>(stale);
            }

            _manager.RequestRefresh();
            // The refresh belongs to every waiter, so one caller's cancellation must not cancel it.
            _refresh = RunRefreshAsync(cause);
            return _refresh.WaitAsync(cancellationToken);
        }
    }

    private async Task<SigningKeys?> RunRefreshAsync(string cause)
    {
        try
        {
            return await FetchAsync(cause, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            lock (_refreshGate)
            {
                _lastRefreshEnded = _time.GetTimestamp();
            }
        }
    }

    private async Task<SigningKeys?> FetchAsync(string cause, CancellationToken cancellationToken)
    {
        using var activity = AccessTokenTelemetry.StartFetch(cause, Domain);
        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await _manager.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Thrown only when the manager has nothing cached to fall back on; it retries on its own schedule.
            _telemetry.RecordRefresh(activity, Domain, cause, "failed");
            return Volatile.Read(ref _current);
        }

        var before = Volatile.Read(ref _current);
        var published = Publish(configuration);
        // The manager answers with the configuration it has when its fetch fails or was not due: "unchanged".
        _telemetry.RecordRefresh(activity, Domain, cause, ReferenceEquals(before?.Configuration, configuration) ? "unchanged"
            : before is not null && before.Fingerprint == published.Fingerprint ? "same_keys"
            : "new_keys");
        return published;
    }

    // Requests racing past a new configuration all end up with one set, and so with one memory of verified tokens.
    private SigningKeys Publish(OpenIdConnectConfiguration configuration)
    {
        while (true)
        {
            var current = Volatile.Read(ref _current);
            if (ReferenceEquals(current?.Configuration, configuration))
            {
                return current!;
            }

            var fresh = new SigningKeys(configuration, _time.GetUtcNow(), current, _policy.VerifiedTokenMemoryBytes, _time);
            if (ReferenceEquals(Interlocked.CompareExchange(ref _current, fresh, current), current))
            {
                return fresh;
            }
        }
    }
}
