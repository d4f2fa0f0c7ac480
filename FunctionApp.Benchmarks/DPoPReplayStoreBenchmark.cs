using System.Diagnostics;
using System.Globalization;
using FunctionApp.Auth;
using FunctionApp.TestHost.Issuer;
using FunctionApp.TestHost.Redis;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace FunctionApp.Benchmarks;

/// <summary>
/// The DPoP replay store on its own, as the app builds it: this instance's memory against a redis-server on loopback
/// (Auth0__DPoPReplayStore=Redis). What remembering one accepted proof costs, one at a time and with many in flight,
/// and what Redis holds per proof. Every proof is new, so each call is a remembered proof, as for every accepted request.
/// </summary>
public static class DPoPReplayStoreBenchmark
{
    private const string Thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

    /// <param name="Proofs">Proofs remembered in each part (one at a time, then in flight).</param>
    /// <param name="InFlight">Calls in flight at once in the second part.</param>
    public sealed record Sizes(int Proofs, int InFlight)
    {
        public static Sizes Full { get; } = new(50_000, 64);

        public static Sizes Dry { get; } = new(500, 8);
    }

    public static async Task RunAsync(Sizes sizes, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(output);
        await using var redis = await RedisServer.StartAsync();
        await using var issuer = await LocalIssuer.StartAsync("https://bench.local/api");
        await using var client = await redis.ConnectAsync();
        var server = client.GetServers().Single();
        var emptyMemory = await UsedMemoryAsync(server);
        await output.WriteLineAsync("| Store | One at a time: median, 99th percentile | In flight: proofs a second |");
        await output.WriteLineAsync("| --- | --- | --- |");
        foreach (var (name, configuration) in new[] { ("memory", (string?)null), ("Redis on loopback", redis.Configuration) })
        {
            await using var services = Services(issuer, configuration);
            var store = services.GetRequiredService<IDPoPReplayStore>();
            var (median, p99) = await OneAtATimeAsync(store, sizes.Proofs);
            var perSecond = await InFlightAsync(store, sizes.Proofs, sizes.InFlight);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {median.TotalMicroseconds:F1} µs, {p99.TotalMicroseconds:F1} µs | {perSecond:N0} ({sizes.InFlight} in flight) |"));
        }

        var keys = await server.DatabaseSizeAsync();
        var proofMemory = await UsedMemoryAsync(server) - emptyMemory;
        await output.WriteLineAsync();
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Redis holds {keys:N0} proofs in {proofMemory:N0} bytes more than when empty (used_memory): {proofMemory / (double)keys:F0} bytes a proof."));
        await output.WriteLineAsync();
    }

    private static async Task<long> UsedMemoryAsync(IServer server) =>
        long.Parse((await server.InfoAsync("memory")).SelectMany(g => g).Single(p => p.Key == "used_memory").Value, CultureInfo.InvariantCulture);

    private static ServiceProvider Services(LocalIssuer issuer, string? redis) =>
        new ServiceCollection()
            .AddAuth0TokenValidation(issuer.AppConfiguration(settings =>
            {
                if (redis is not null)
                {
                    settings["Auth0__DPoPReplayStore"] = "Redis";
                    settings["Auth0__DPoPReplayRedis"] = redis;
                }
            }).GetSection("Auth0"))
            .BuildServiceProvider();

    private static async Task<(TimeSpan Median, TimeSpan P99)> OneAtATimeAsync(IDPoPReplayStore store, int proofs)
    {
        var elapsed = new TimeSpan[proofs];
        for (var i = 0; i < proofs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await RememberAsync(store, "one-" + i.ToString(CultureInfo.InvariantCulture));
            elapsed[i] = Stopwatch.GetElapsedTime(started);
        }

        Array.Sort(elapsed);
        return (elapsed[proofs / 2], elapsed[(int)(proofs * 0.99)]);
    }

    private static async Task<double> InFlightAsync(IDPoPReplayStore store, int proofs, int inFlight)
    {
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < proofs)
            {
                await RememberAsync(store, "many-" + i.ToString(CultureInfo.InvariantCulture));
            }
        })));
        return proofs / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task RememberAsync(IDPoPReplayStore store, string jti)
    {
        var now = DateTimeOffset.UtcNow;
        var outcome = await store.TryRememberAsync(Thumbprint, jti, now.AddMinutes(5), now, CancellationToken.None);
        if (outcome != DPoPReplayOutcome.Remembered)
        {
            throw new InvalidOperationException($"A new proof was {outcome}: the figures would mean nothing.");
        }
    }
}
