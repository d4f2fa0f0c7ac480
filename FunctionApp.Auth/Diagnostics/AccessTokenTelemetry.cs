using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FunctionApp.Auth;

/// <summary>
/// The metrics and traces of access-token protection, under <see cref="Name"/>. They carry the function, the outcome,
/// the reason and, on traces only, the token's kid (escaped) and the configured issuer: never a token, a signature,
/// a key or any other claim value. Caller-chosen values stay off metrics, whose every tag value makes a series.
/// </summary>
internal sealed class AccessTokenTelemetry
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "Auth0.AccessTokens";

    /// <summary>The outcome of an accepted token; a rejected one's outcome is its reason.</summary>
    public const string Accepted = "accepted";

    private static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _outcomes;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _lookups;
    private readonly Histogram<double> _replayStoreDuration;
    private readonly Counter<long> _replayStoreFailures;
    private readonly Meter _meter;

    public AccessTokenTelemetry(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(Name);
        _outcomes = _meter.CreateCounter<long>("auth0.access_token.outcomes", description: "Requests to protected functions, by function and outcome.");
        _duration = _meter.CreateHistogram<double>("auth0.access_token.validation.duration", unit: "s", description: "Time to check an Authorization header.");
        _refreshes = _meter.CreateCounter<long>("auth0.signing_keys.refreshes", description: "Fetches of the signing keys, by cause and result.");
        _lookups = _meter.CreateCounter<long>("auth0.verified_tokens.lookups", description: "Tokens looked up in the memory of verified tokens, by hit.");
        _replayStoreDuration = _meter.CreateHistogram<double>("auth0.dpop.replay_store.duration", unit: "s", description: "Time to remember a DPoP proof in the shared replay store, by outcome.");
        _replayStoreFailures = _meter.CreateCounter<long>("auth0.dpop.replay_store.failures", description: "Calls to the shared replay store that got no answer, by error type.");
    }

    /// <summary>Reports the size of the current memories of verified tokens (one per domain), read when a collector asks.</summary>
    public void ObserveMemory(Func<IEnumerable<VerifiedTokenMemory>> memories)
    {
        ArgumentNullException.ThrowIfNull(memories);
        _meter.CreateObservableUpDownCounter("auth0.verified_tokens.memory.size", () => memories().Sum(m => m.Bytes), unit: "By", description: "Bytes held by the memory of verified tokens.");
        _meter.CreateObservableUpDownCounter("auth0.verified_tokens.memory.entries", () => memories().Sum(m => (long)m.Count), description: "Tokens held by the memory of verified tokens.");
    }

    /// <summary>Starts the trace of one request's check; null when nobody listens.</summary>
    public static Activity? StartValidation(string function) =>
        Source.StartActivity("auth0.validate_access_token", ActivityKind.Internal, default(ActivityContext), [new KeyValuePair<string, object?>("faas.name", function)]);

    /// <summary>Starts the trace of one fetch of the signing keys; null when nobody listens.</summary>
    public static Activity? StartFetch(string cause, Auth0Domain domain) =>
        Source.StartActivity("auth0.fetch_signing_keys", ActivityKind.Internal, default(ActivityContext), [new("auth0.refresh.cause", cause), new("auth0.issuer", domain.Issuer), new("server.address", domain.Authority.Host)]);

    /// <summary>
    /// Records one request's outcome; an accepted token has no status of its own (the function's answer is yet to
    /// come). <paramref name="issuer"/> is the configured issuer the token named, if it named one: never an issuer
    /// nobody configured.
    /// </summary>
    public void RecordOutcome(Activity? activity, string function, string outcome, int? status, string? keyId, string? issuer)
    {
        if (status is { } rejected)
        {
            _outcomes.Add(1, new("faas.name", function), new("auth0.outcome", outcome), new("http.response.status_code", rejected));
        }
        else
        {
            _outcomes.Add(1, new("faas.name", function), new("auth0.outcome", outcome));
        }

        if (activity is not null)
        {
            activity.SetTag("auth0.outcome", outcome);
            activity.SetTag("http.response.status_code", status);
            activity.SetTag("auth0.kid", LogValue.Escape(keyId));
            activity.SetTag("auth0.issuer", issuer);
            if (outcome != Accepted)
            {
                activity.SetStatus(ActivityStatusCode.Error, outcome);
            }
        }
    }

    public void RecordValidation(TimeSpan elapsed, bool verified) =>
        _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("auth0.verified", verified));

    public void RecordLookup(bool hit) => _lookups.Add(1, new KeyValuePair<string, object?>("hit", hit));

    public void RecordReplayStore(TimeSpan elapsed, DPoPReplayOutcome outcome) =>
        _replayStoreDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("auth0.dpop.replay_store.outcome", OutcomeName(outcome)));

    /// <param name="errorType">One of a few fixed words (timeout, connection, server), never an exception's message.</param>
    public void RecordReplayStoreFailure(string errorType) =>
        _replayStoreFailures.Add(1, new KeyValuePair<string, object?>("error.type", errorType));

    public void RecordRefresh(Activity? activity, Auth0Domain domain, string cause, string result)
    {
        _refreshes.Add(1, new("auth0.issuer", domain.Issuer), new("auth0.refresh.cause", cause), new("auth0.refresh.result", result));
        activity?.SetTag("auth0.refresh.result", result);
    }

    private static string OutcomeName(DPoPReplayOutcome outcome) => outcome switch
    {
        DPoPReplayOutcome.Remembered => "remembered",
        DPoPReplayOutcome.Replayed => "replayed",
        DPoPReplayOutcome.Full => "full",
        _ => "unavailable",
    };
}
