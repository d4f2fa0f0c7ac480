using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace FunctionApp.TestHost.Redis;

/// <summary>
/// A real redis-server on a free loopback port, with nothing persisted, for the tests and the benchmark of the shared
/// replay store; it can be stopped and started again on the same port mid-test. Needs redis-server on the PATH (Debian: apt-get install
/// redis-server).
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private const string ReadyLine = "Ready to accept connections";

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
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1" })
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

    /// <summary>A client of the test's own, allowed the admin commands (CLIENT PAUSE, FLUSHALL).</summary>
    public Task<ConnectionMultiplexer> ConnectAsync() =>
        ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { { IPAddress.Loopback, Port } }, AllowAdmin = true });

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
