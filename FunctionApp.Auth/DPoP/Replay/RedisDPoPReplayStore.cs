using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace FunctionApp.Auth;

/// <summary>
/// Accepted DPoP proofs remembered in one Redis every instance shares, so a proof is accepted once across all of them:
/// each is one <c>SET key NX PX ttl</c>, which Redis runs atomically, so of any number of requests carrying the same
/// proof on any number of instances exactly one creates the key. A key is a hash of the API's audiences, the proof
/// key's thumbprint and the jti, never the proof itself. Every call is bounded by the timeout setting; when Redis does
/// not answer in time the proof is <see cref="DPoPReplayOutcome.Unavailable"/> (503), or checked against this
/// instance's memory when the fallback setting says so. With <see cref="RedisEntraSignIn"/>, the app's managed
/// identity signs the connections in.
/// </summary>
internal sealed partial class RedisDPoPReplayStore : IDPoPReplayStore, IAsyncDisposable
{
    private const string KeyPrefix = "dpop:";

    private static readonly RedisValue Taken = 1;

    private readonly Task<ConnectionMultiplexer> _connection;
    private readonly byte[] _scope;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _clockSkew;
    private readonly DPoPReplayMemory? _fallback;
    private readonly AccessTokenTelemetry _telemetry;
    private readonly RedisEntraSignIn? _signIn;

    public RedisDPoPReplayStore(
        Auth0Options settings, DPoPReplayMemory memory, AccessTokenTelemetry telemetry, RedisEntraSignIn? signIn, ILogger<RedisDPoPReplayStore> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _scope = Encoding.UTF8.GetBytes(string.Join(',', settings.Audiences));
        _timeout = settings.DPoPReplayRedisTimeout;
        _clockSkew = settings.ClockSkew;
        _fallback = settings.DPoPReplayRedisFallbackToMemory ? memory : null;
        _telemetry = telemetry;
        var options = ConfigurationOptions.Parse(settings.DPoPReplayRedis!);
        // Start-up does not wait for Redis, and a lost connection is re-made in the background: the app recovers by itself.
        options.AbortOnConnectFail = false;
        options.AsyncTimeout = options.SyncTimeout = (int)_timeout.TotalMilliseconds;
        // While disconnected a call fails at once instead of queueing: the request is answered 503 now, not after the timeout.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        _signIn = signIn;
        _connection = signIn is null ? ConnectionMultiplexer.ConnectAsync(options) : signIn.ConnectAsync(options);
        if (_fallback is not null)
        {
            LogFallbackOn(logger);
        }
    }

    public async ValueTask<DPoPReplayOutcome> TryRememberAsync(
        string thumbprint, string jti, DateTimeOffset lastAcceptable, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(thumbprint);
        ArgumentNullException.ThrowIfNull(jti);
        var started = Stopwatch.GetTimestamp();
        var key = KeyOf(thumbprint, jti);
        var ttl = TimeToLive(lastAcceptable, now, _clockSkew);
        string? failure;
        try
        {
            // The library's own timeout is checked on a heartbeat about once a second; this one holds to the setting.
            var created = await SetIfAbsentAsync(key, ttl).WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
            var outcome = created ? DPoPReplayOutcome.Remembered : DPoPReplayOutcome.Replayed;
            _telemetry.RecordReplayStore(Stopwatch.GetElapsedTime(started), outcome);
            return outcome;
        }
        catch (TimeoutException)
        {
            failure = "timeout";
        }
        catch (RedisConnectionException)
        {
            failure = "connection";
        }
        catch (RedisException)
        {
            failure = "server";
        }

        _telemetry.RecordReplayStore(Stopwatch.GetElapsedTime(started), DPoPReplayOutcome.Unavailable);
        _telemetry.RecordReplayStoreFailure(failure);
        return _fallback?.TryRemember(thumbprint, jti, lastAcceptable, now) ?? DPoPReplayOutcome.Unavailable;
    }

    /// <summary>
    /// How long Redis keeps a proof: through its last acceptable instant by this instance's clock, plus the clock skew
    /// setting, because another instance whose clock is behind by up to that much still accepts the proof until its own
    /// clock reaches that instant. Never less than a millisecond, the least Redis takes.
    /// </summary>
    public static TimeSpan TimeToLive(DateTimeOffset lastAcceptable, DateTimeOffset now, TimeSpan clockSkew)
    {
        var ttl = lastAcceptable - now + clockSkew;
        return ttl < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : ttl;
    }

    /// <summary>The Redis key of a proof: its scope, key thumbprint and jti, each preceded by its length, so no two share one.</summary>
    public RedisKey KeyOf(string thumbprint, string jti)
    {
        var fields = new[] { _scope, Encoding.UTF8.GetBytes(thumbprint), Encoding.UTF8.GetBytes(jti) };
        var input = new byte[fields.Sum(f => sizeof(int) + f.Length)];
        var at = 0;
        foreach (var field in fields)
        {
            BinaryPrimitives.WriteInt32BigEndian(input.AsSpan(at), field.Length);
            field.CopyTo(input, at + sizeof(int));
            at += sizeof(int) + field.Length;
        }

        return KeyPrefix + Base64Url.EncodeToString(SHA256.HashData(input));
    }

    public async ValueTask DisposeAsync()
    {
        // No renewal may run on a connection being closed.
        if (_signIn is not null)
        {
            await _signIn.DisposeAsync().ConfigureAwait(false);
        }

        ConnectionMultiplexer connection;
        try
        {
            connection = await _connection.ConfigureAwait(false);
        }
        catch (RedisException)
        {
            return;
        }

        await connection.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<bool> SetIfAbsentAsync(RedisKey key, TimeSpan ttl)
    {
        var connection = await _connection.ConfigureAwait(false);
        return await connection.GetDatabase().StringSetAsync(key, Taken, ttl, When.NotExists).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning,
        Message = "Auth0__DPoPReplayRedisFallbackToMemory is on: while Redis cannot answer, each instance checks DPoP proofs against its own memory, and a proof can be replayed once on every other instance.")]
    private static partial void LogFallbackOn(ILogger logger);
}
