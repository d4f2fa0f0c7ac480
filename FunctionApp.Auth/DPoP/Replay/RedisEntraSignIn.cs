using System.Buffers.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace FunctionApp.Auth;

/// <summary>
/// Signs the shared replay store in to Redis with a Microsoft Entra token of the app's managed identity, as Azure
/// Managed Redis takes it when access keys are off: the user is the identity's object ID (the token's <c>oid</c>), the
/// password is the token. Redis drops a connection once its token has expired, so a new token is fetched before then
/// and sent with AUTH on every live connection; a connection made again signs in with the newest token. While no token
/// comes, the credential is asked again every ten seconds. Neither a token nor the configuration that holds one is
/// ever logged.
/// </summary>
internal sealed partial class RedisEntraSignIn : IAsyncDisposable
{
    /// <summary>The service key of the credential the tokens come from.</summary>
    public const string CredentialKey = "Auth0.DPoPReplayRedis";

    private static readonly TokenRequestContext TokenRequest = new(["https://redis.azure.com/.default"]);

    // Used when the credential does not say when it would fetch a new token.
    private static readonly TimeSpan RenewBeforeExpiry = TimeSpan.FromMinutes(5);

    // The credential is never asked more often than this, also while it fails.
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(10);

    private readonly TokenCredential _credential;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private ConfigurationOptions? _options;
    private ConnectionMultiplexer? _connection;
    private int _disposed;

    public RedisEntraSignIn([FromKeyedServices(CredentialKey)] TokenCredential credential, TimeProvider time, ILogger<RedisEntraSignIn> logger)
    {
        ArgumentNullException.ThrowIfNull(time);
        _credential = credential;
        _time = time;
        _logger = logger;
        _timer = time.CreateTimer(_ => _ = RefreshAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Signs <paramref name="options"/> in and connects with them. While the credential fails they name no user, which
    /// Redis refuses (DPoP requests are answered 503), and the credential is asked again until it answers.
    /// </summary>
    public async Task<ConnectionMultiplexer> ConnectAsync(ConfigurationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The store never subscribes: without pub/sub each server has one connection, the one AUTH renews.
        options.CommandMap = CommandMap.Create(["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE"], available: false);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _options = options;
            await SignInAsync(options, null).ConfigureAwait(false);
            _connection = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
            return _connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Fetches a token now, signs every live connection in with it and schedules the next renewal.</summary>
    public async Task RefreshAsync()
    {
        try
        {
            await _gate.WaitAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            if (_options is { } options)
            {
                await SignInAsync(options, _connection).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// How long until the next token is fetched: until the credential would fetch a new one itself (its RefreshOn), or
    /// else until five minutes before expiry, or halfway to expiry for a token that lives less; never less than the
    /// retry interval.
    /// </summary>
    public static TimeSpan RenewalDelay(AccessToken token, DateTimeOffset now)
    {
        var delay = (token.RefreshOn ?? token.ExpiresOn - RenewBeforeExpiry) - now;
        if (delay <= TimeSpan.Zero)
        {
            delay = (token.ExpiresOn - now) / 2;
        }

        return delay < RetryInterval ? RetryInterval : delay;
    }

    /// <summary>
    /// The <c>oid</c> claim of a JWT, read without checking the signature: the credential vouches for the token, and
    /// Redis checks it. Null when the token is not a JWT with one.
    /// </summary>
    public static string? ObjectIdOf(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var segments = token.Split('.');
        if (segments.Length != 3)
        {
            return null;
        }

        try
        {
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(segments[1]));
            return payload.RootElement.ValueKind == JsonValueKind.Object
                && payload.RootElement.TryGetProperty("oid", out var oid)
                && oid.ValueKind == JsonValueKind.String
                    ? oid.GetString()
                    : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _timer.DisposeAsync().ConfigureAwait(false);
        // Waits out a renewal under way; a renewal asked for meanwhile has seen the cancellation and started none.
        await _gate.WaitAsync().ConfigureAwait(false);
        _gate.Dispose();
        _stopping.Dispose();
    }

    // A credential reports a failure with AuthenticationFailedException, as Azure.Identity's all do. Whatever else
    // happens, the next attempt is scheduled: the token must never run out for want of a renewal.
    private async Task SignInAsync(ConfigurationOptions options, ConnectionMultiplexer? connection)
    {
        var delay = RetryInterval;
        try
        {
            var token = await _credential.GetTokenAsync(TokenRequest, _stopping.Token).ConfigureAwait(false);
            if (ObjectIdOf(token.Token) is not { } user)
            {
                LogNoObjectId(_logger, RetryInterval.TotalSeconds);
                return;
            }

            // Read by every handshake: a connection made from now on signs in with this token.
            options.User = user;
            options.Password = token.Token;
            if (await RenewAsync(connection, user, token.Token, TimeSpan.FromMilliseconds(options.AsyncTimeout), TimeSpan.FromMilliseconds(options.ConnectTimeout)).ConfigureAwait(false))
            {
                delay = RenewalDelay(token, _time.GetUtcNow());
            }
        }
        catch (AuthenticationFailedException e)
        {
            LogNoToken(_logger, e, RetryInterval.TotalSeconds);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
        finally
        {
            if (!_stopping.IsCancellationRequested)
            {
                _timer.Change(delay, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private async Task<bool> RenewAsync(ConnectionMultiplexer? connection, string user, string token, TimeSpan timeout, TimeSpan connectTimeout)
    {
        if (connection is null)
        {
            return true;
        }

        var servers = connection.GetServers();
        if (servers.Any(server => !server.IsConnected))
        {
            await ReconnectAsync(connection, connectTimeout).ConfigureAwait(false);
        }

        var renewed = true;
        foreach (var server in servers.Where(server => server.IsConnected))
        {
            try
            {
                await server.ExecuteAsync("AUTH", user, token).WaitAsync(timeout).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // The exception's type only: Redis's messages may name the command it failed on.
                renewed = false;
                LogNotRenewed(_logger, server.EndPoint.ToString() ?? string.Empty, e.GetType().Name, RetryInterval.TotalSeconds);
            }
        }

        return renewed;
    }

    // Connects the servers now, with the new token, and waits until one is back (at most the connect timeout): a store
    // that could not sign in works for the very next request once the credential does, not at the library's next
    // attempt nor while its handshake is still under way.
    private static async Task ReconnectAsync(ConnectionMultiplexer connection, TimeSpan connectTimeout)
    {
        var restored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnRestored(object? sender, ConnectionFailedEventArgs e) => restored.TrySetResult();
        connection.ConnectionRestored += OnRestored;
        try
        {
            await connection.ConfigureAsync().ConfigureAwait(false);
            if (connection.GetServers().Any(server => !server.IsConnected))
            {
                await restored.Task.WaitAsync(connectTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        finally
        {
            connection.ConnectionRestored -= OnRestored;
        }
    }

    [LoggerMessage(EventId = 9, Level = LogLevel.Error,
        Message = "No Microsoft Entra token for Redis: the shared DPoP replay store answers 503 once the last token expires. Trying again in {RetrySeconds} s.")]
    private static partial void LogNoToken(ILogger logger, Exception exception, double retrySeconds);

    [LoggerMessage(EventId = 10, Level = LogLevel.Error,
        Message = "The Microsoft Entra token for Redis has no oid claim to sign in with. Trying again in {RetrySeconds} s.")]
    private static partial void LogNoObjectId(ILogger logger, double retrySeconds);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning,
        Message = "Redis at {Endpoint} did not take the renewed token ({ErrorType}); its connection is dropped when the old token expires. Trying again in {RetrySeconds} s.")]
    private static partial void LogNotRenewed(ILogger logger, string endpoint, string errorType, double retrySeconds);
}
