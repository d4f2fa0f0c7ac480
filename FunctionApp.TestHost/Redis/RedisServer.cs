using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using StackExchange.Redis;

namespace FunctionApp.TestHost.Redis;

/// <summary>
/// A real redis-server on a free loopback port, with nothing persisted, for the tests and the benchmark of the shared
/// replay store; it can be stopped and started again on the same port mid-test. Needs redis-server on the PATH (Debian: apt-get install
/// redis-server). The test's own clients sign in as an admin user of its own, so that a test can turn the anonymous
/// default user off, as Azure Managed Redis has it, and give other users passwords.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private const string ReadyLine = "Ready to accept connections";
    private const string AdminUser = "test-admin";

    private readonly string _adminPassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    /// <summary>The configuration string the app's <c>Auth0__DPoPReplayRedis</c> setting takes.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(FreePort());
        await server.RestartAsync();
        return server;
    }

    /// <summary>A loopback port nothing listens on, for a Redis that is down from the start.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the server (again) on its port; returns once it answers PING.</summary>
    public async Task RestartAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("The server is running.");
        }

        var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1",
            "--user", AdminUser, "on", ">" + _adminPassword, "~*", "&*", "+@all",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.Contains(ReadyLine, StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"redis-server on port {Port} exited before it was ready."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        // The server says when it listens; the bound is only for a server that never does.
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await using var client = await ConnectAsync();
        await client.GetDatabase().PingAsync();
    }

    /// <summary>Stops the server at once, as a crash would; what it held is gone.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            process.Kill();
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    /// <summary>A client of the test's own, signed in as the admin user, allowed the admin commands (CLIENT PAUSE, FLUSHALL).</summary>
    public Task<ConnectionMultiplexer> ConnectAsync() =>
        ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { { IPAddress.Loopback, Port } },
            AllowAdmin = true,
            User = AdminUser,
            Password = _adminPassword,
        });

    /// <summary>
    /// Gives <paramref name="user"/> (made if new) <paramref name="password"/> as its only password and every key and
    /// command. A connection signed in as it stays signed in, as Redis keeps it.
    /// </summary>
    public async Task SetUserAsync(string user, string password)
    {
        await using var client = await ConnectAsync();
        await client.GetDatabase().ExecuteAsync("ACL", "SETUSER", user, "on", "resetpass", ">" + password, "~*", "&*", "+@all");
    }

    /// <summary>Turns the default user off: a client must sign in as a user with a password, as with Azure Managed Redis.</summary>
    public async Task RefuseAnonymousAsync()
    {
        await using var client = await ConnectAsync();
        await client.GetDatabase().ExecuteAsync("ACL", "SETUSER", "default", "off");
    }

    /// <summary>The connections signed in as <paramref name="user"/>, each with the last command it ran.</summary>
    public async Task<IReadOnlyList<RedisClient>> ClientsAsync(string user)
    {
        await using var client = await ConnectAsync();
        var clients = await client.GetServers()[0].ClientListAsync();
        return clients.Where(c => (c.Raw ?? string.Empty).Split(' ').Contains("user=" + user)).Select(c => new RedisClient(c.Id, c.LastCommand ?? string.Empty)).ToList();
    }

    /// <summary>How many sign-ins (AUTH, or HELLO with AUTH) the server refused since it started: wrong user or password.</summary>
    public async Task<long> RefusedSignInsAsync()
    {
        await using var client = await ConnectAsync();
        var log = (RedisResult[])(await client.GetDatabase().ExecuteAsync("ACL", "LOG"))!;
        return log.Select(entry => entry.ToDictionary()).Where(entry => (string?)entry["reason"] == "auth").Sum(entry => (long)entry["count"]);
    }

    /// <summary>Makes the server hold every write for <paramref name="duration"/>, as a server too busy to answer would.</summary>
    public async Task PauseWritesAsync(TimeSpan duration)
    {
        await using var client = await ConnectAsync();
        await client.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", (long)duration.TotalMilliseconds, "WRITE");
    }

    public async Task UnpauseAsync()
    {
        await using var client = await ConnectAsync();
        await client.GetDatabase().ExecuteAsync("CLIENT", "UNPAUSE");
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
