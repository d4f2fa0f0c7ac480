using System.Diagnostics;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace FunctionApp.Auth;

/// <summary>
/// One domain's signing keys, from its <see cref="ConfigurationManager{T}"/>, and the checks its tokens get. The
/// manager answers from what it has and refreshes in the background when due. What it cannot do without a
/// process-wide switch (Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking) is an awaited refresh, which a token
/// whose kid was just rotated in needs; a manager's first fetch is always awaited, so that refresh is a new manager's
/// first fetch, shared by every request that needs it and throttled by the minimum refresh interval. The new manager
/// replaces the old one only when it brought keys.
/// </summary>
internal sealed class DomainSigningKeys
{
    private readonly TokenValidationParameters _parameters;
    private readonly TokenValidationParameters _withoutKeys;
    private readonly Func<ConfigurationManager<OpenIdConnectConfiguration>> _newManager;
    private readonly Auth0Options _options;
    private readonly TimeProvider _time;
    private readonly AccessTokenTelemetry _telemetry;
    private readonly Lock _refreshGate = new();
    private ConfigurationManager<OpenIdConnectConfiguration>? _manager;
    private SigningKeySet? _current;
    private Task<SigningKeySet?> _refresh = Task.FromResult<SigningKeySet?>(null);
    private long? _lastRefreshEnded;

    /// <param name="domain">The domain.</param>
    /// <param name="parameters">Its checks but the keys: issuer, audiences, algorithms, lifetime.</param>
    /// <param name="newManager">Makes the domain's configuration manager, with no configuration yet.</param>
    /// <param name="options">The settings.</param>
    /// <param name="time">The clock.</param>
    /// <param name="telemetry">Where fetches are reported.</param>
    public DomainSigningKeys(
        Auth0Domain domain,
        TokenValidationParameters parameters,
        Func<ConfigurationManager<OpenIdConnectConfiguration>> newManager,
        Auth0Options options,
        TimeProvider time,
        AccessTokenTelemetry telemetry)
    {
        Domain = domain;
        _parameters = parameters;
        // Before any keys: the claim checks still run first, and a token that passes them then waits for keys.
        _withoutKeys = parameters.Clone();
        _withoutKeys.IssuerSigningKeyResolver = (_, _, _, _) => [];
        _newManager = newManager;
        _options = options;
        _time = time;
        _telemetry = telemetry;
    }

    /// <summary>The domain whose keys these are.</summary>
    public Auth0Domain Domain { get; }

    /// <summary>The keys fetched last, as they are; null before the first fetch succeeds. For the memory of verified tokens.</summary>
    public SigningKeySet? Current => Volatile.Read(ref _current);

    /// <summary>
    /// The keys to verify a token with, and the checks that use them (with no keys before the first fetch). The
    /// manager refreshes on its own schedule, in the background; what it last fetched is picked up here.
    /// </summary>
    public (SigningKeySet? Keys, TokenValidationParameters Parameters) Latest()
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && Volatile.Read(ref _manager)?.GetConfigurationAsync(CancellationToken.None) is { IsCompletedSuccessfully: true } latest
            && !ReferenceEquals(latest.Result, current.Configuration))
        {
            current = Publish(latest.Result, "automatic");
        }

        return (current, current?.Parameters ?? _withoutKeys);
    }

    /// <summary>
    /// Fetches the keys again because <paramref name="stale"/> (null: no keys yet) lacks the kid a token named.
    /// Requests arriving while a fetch runs await that one; within the minimum interval of the last fetch the keys
    /// at hand are returned.
    /// </summary>
    public Task<SigningKeySet?> RefreshAsync(SigningKeySet? stale, CancellationToken cancellationToken)
    {
        lock (_refreshGate)
        {
            var current = Volatile.Read(ref _current);
            if (current is not null && !ReferenceEquals(current, stale))
            {
                return Task.FromResult<SigningKeySet?>(current);
            }

            if (!_refresh.IsCompleted)
            {
                return _refresh.WaitAsync(cancellationToken);
            }

            if (_lastRefreshEnded is { } ended && _time.GetElapsedTime(ended) < _options.MinimumRefreshInterval)
            {
                return Task.FromResult(current);
            }

            // The fetch belongs to every waiter, so one caller's cancellation must not cancel it. Only a refresh counts
            // towards the interval, as with IdentityModel's own RequestRefresh: until there are keys, each request that
            // needs them may try.
            _refresh = FetchAsync(current is null ? "no_keys" : "unknown_kid", throttled: current is not null);
            return _refresh.WaitAsync(cancellationToken);
        }
    }

    private async Task<SigningKeySet?> FetchAsync(string cause, bool throttled)
    {
        using var activity = AccessTokenTelemetry.StartFetch(cause, Domain);
        try
        {
            var manager = _newManager();
            OpenIdConnectConfiguration configuration;
            try
            {
                configuration = await manager.GetConfigurationAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // The fetch failed or brought a document the validator refused: the keys at hand stay.
                _telemetry.RecordRefresh(activity, Domain, cause, "failed");
                return Volatile.Read(ref _current);
            }

            Volatile.Write(ref _manager, manager);
            return Publish(configuration, cause, activity);
        }
        finally
        {
            if (throttled)
            {
                lock (_refreshGate)
                {
                    _lastRefreshEnded = _time.GetTimestamp();
                }
            }
        }
    }

    // Requests racing past a new configuration all end up with one set, and so with one memory of verified tokens.
    private SigningKeySet Publish(OpenIdConnectConfiguration configuration, string cause, Activity? activity = null)
    {
        while (true)
        {
            var current = Volatile.Read(ref _current);
            if (ReferenceEquals(current?.Configuration, configuration))
            {
                return current!;
            }

            var fresh = new SigningKeySet(configuration, _parameters, current, _options.VerifiedTokenMemoryKilobytes * 1024L, _time);
            if (ReferenceEquals(Interlocked.CompareExchange(ref _current, fresh, current), current))
            {
                _telemetry.RecordRefresh(activity, Domain, cause, current is not null && current.Fingerprint == fresh.Fingerprint ? "same_keys" : "new_keys");
                return fresh;
            }
        }
    }
}
