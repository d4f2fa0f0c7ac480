using System.Diagnostics;
using System.Globalization;
using FunctionApp.TestHost.Hosting;
using FunctionApp.TestHost.Issuer;
using FunctionApp.TestHost.Load;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionApp.Benchmarks;

/// <summary>
/// The app as users run it: the real worker under FunctionApp.TestHost, driven over HTTP by the C# load driver.
/// Prints one table with every figure, its goal and whether it was met.
/// </summary>
public static class EndToEndBenchmark
{
    /// <summary>How many requests each part sends.</summary>
    /// <param name="Requests">Requests per endpoint and concurrency.</param>
    /// <param name="Concurrency">The numbers of concurrent clients.</param>
    /// <param name="MemoryFirst">Private requests before the first working-set reading.</param>
    /// <param name="MemorySecond">Private requests before the second reading.</param>
    public sealed record Sizes(int Requests, int[] Concurrency, int MemoryFirst, int MemorySecond)
    {
        public static Sizes Full { get; } = new(20_000, [1, 16, 64], 10_000, 100_000);

        public static Sizes Dry { get; } = new(200, [1, 16, 64], 200, 1_000);
    }

    private const string Audience = "https://bench.local/api";
    private const int Rounds = 3;

    public static async Task RunAsync(Sizes sizes, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(output);
        var rows = new List<string[]>();
        await using var issuer = await LocalIssuer.StartAsync(Audience);
        var token = "Bearer " + issuer.CreateToken();

        // Cold start, in fresh workers: the build output (JIT) and a ReadyToRun publish of the same app.
        var readyToRun = await PublishReadyToRunAsync();
        foreach (var (build, directory) in new[] { ("JIT build", FunctionsHostOptions.DefaultAppDirectory), ("ReadyToRun publish", readyToRun) })
        {
            var cold = await MeasureColdStartAsync(issuer, token, directory);
            rows.Add([$"{build}: launch to the first 200 from /api/private (its first request)", Ms(cold.Launch), "(reported)", ""]);
            rows.Add([$"{build}: that first request / warm median", $"{Ms(cold.First)} / {Ms(cold.Warm)} = {Ratio(cold.First, cold.Warm)}x", "(reported)", ""]);
            rows.Add([$"{build}, start-up work done: first /api/private with no token (403, no token work) / warm median", $"{Ms(cold.FirstCall)} / {Ms(cold.Warm)} = {Ratio(cold.FirstCall, cold.Warm)}x", "(reported)", ""]);
            rows.Add([$"{build}, start-up work done: then the first valid token / warm median", $"{Ms(cold.FirstToken)} / {Ms(cold.Warm)} = {Ratio(cold.FirstToken, cold.Warm)}x", "<= 1.5x", Met(cold.FirstToken / cold.Warm <= 1.5)]);
            rows.Add([$"{build}, start-up work done: then the first /api/public (no auth at all) / its warm median", $"{Ms(cold.FirstPublic)} / {Ms(cold.WarmPublic)} = {Ratio(cold.FirstPublic, cold.WarmPublic)}x", "(reference)", ""]);
        }

        // Everything else in one worker, whose fetches from the issuer are counted.
        var (metadataBefore, jwksBefore) = (issuer.MetadataRequests, issuer.JwksRequests);
        await using var host = await StartAsync(issuer, FunctionsHostOptions.DefaultAppDirectory, NullLoggerFactory.Instance);
        using var client = new HttpClient { BaseAddress = host.BaseAddress };

        // Throughput and latency, public against private, at each concurrency: warmed up, then rounds that
        // alternate the two endpoints so that drift in the machine falls on both alike.
        foreach (var clients in sizes.Concurrency)
        {
            await RunAsync(client, "api/public", null, sizes.Requests, clients);
            await RunAsync(client, "api/private", token, sizes.Requests, clients);
            var publicRuns = new List<LoadResult>();
            var headerRuns = new List<LoadResult>();
            var privateRuns = new List<LoadResult>();
            for (var round = 0; round < Rounds; round++)
            {
                publicRuns.Add(await RunAsync(client, "api/public", null, sizes.Requests, clients));
                headerRuns.Add(await RunAsync(client, "api/public", token, sizes.Requests, clients));
                privateRuns.Add(await RunAsync(client, "api/private", token, sizes.Requests, clients));
            }

            var publicResult = LoadResult.Combine(publicRuns);
            var headerResult = LoadResult.Combine(headerRuns);
            var privateResult = LoadResult.Combine(privateRuns);
            var throughput = privateResult.RequestsPerSecond / publicResult.RequestsPerSecond;
            var p99 = privateResult.Percentile(0.99).TotalMilliseconds / publicResult.Percentile(0.99).TotalMilliseconds;
            rows.Add([$"{clients} clients: requests/s public, public with the token's header, private", $"{publicResult.RequestsPerSecond:F0}, {headerResult.RequestsPerSecond:F0}, {privateResult.RequestsPerSecond:F0} ({throughput:F2}x)", ">= 0.9x", Met(throughput >= 0.9)]);
            rows.Add([$"{clients} clients: p50 public, private", $"{Ms(publicResult.Percentile(0.5))}, {Ms(privateResult.Percentile(0.5))}", "(reported)", ""]);
            rows.Add([$"{clients} clients: p99 public, private", $"{Ms(publicResult.Percentile(0.99))}, {Ms(privateResult.Percentile(0.99))} ({p99:F2}x)", "<= 1.2x", Met(p99 <= 1.2)]);
        }

        // Steady memory: the worker's working set after MemoryFirst and after MemorySecond private requests.
        using var worker = Process.GetProcessById(host.WorkerProcessId);
        await RunAsync(client, "api/private", token, sizes.MemoryFirst, 16);
        var before = WorkingSet(worker);
        await RunAsync(client, "api/private", token, sizes.MemorySecond - sizes.MemoryFirst, 16);
        var after = WorkingSet(worker);
        var growth = (after - before) / (double)before;
        rows.Add([$"Worker working set after {sizes.MemoryFirst:N0} and {sizes.MemorySecond:N0} private requests", $"{before / 1048576.0:F1} MiB, {after / 1048576.0:F1} MiB ({growth:P1})", "< 10% growth", Met(growth < 0.10)]);

        // Outbound calls for everything this worker served: the warm-ups, the rounds and the memory run.
        var sentInTotal = sizes.Concurrency.Length * (2 + 3 * Rounds) * sizes.Requests + sizes.MemorySecond;
        var (metadata, jwks) = (issuer.MetadataRequests - metadataBefore, issuer.JwksRequests - jwksBefore);
        rows.Add([$"Metadata and JWKS fetches for {sentInTotal:N0} requests with one kid", $"{metadata}, {jwks}", "1 each", Met(metadata == 1 && jwks == 1)]);

        await output.WriteLineAsync("| Figure | Measured | Goal | Met |");
        await output.WriteLineAsync("| --- | --- | --- | --- |");
        foreach (var row in rows)
        {
            await output.WriteLineAsync("| " + string.Join(" | ", row) + " |");
        }
    }

    /// <param name="Launch">From launching a worker to the first 200 from /api/private, its first request.</param>
    /// <param name="First">That first request's latency.</param>
    /// <param name="FirstCall">In a second worker, once its start-up work is done: the first call of /api/private, without a token.</param>
    /// <param name="FirstToken">Then the first call of /api/private with a valid token.</param>
    /// <param name="Warm">The median of 101 warm calls with a valid token.</param>
    /// <param name="FirstPublic">Then the first call of /api/public: a first invocation with no auth at all.</param>
    /// <param name="WarmPublic">The median of 101 warm calls of /api/public.</param>
    private sealed record ColdStart(
        TimeSpan Launch, TimeSpan First, TimeSpan FirstCall, TimeSpan FirstToken, TimeSpan Warm, TimeSpan FirstPublic, TimeSpan WarmPublic);

    private static Task<FunctionsHost> StartAsync(LocalIssuer issuer, string appDirectory, ILoggerFactory loggers) => FunctionsHost.StartAsync(
        new FunctionsHostOptions
        {
            AppDirectory = appDirectory,
            Settings = issuer.AppSettings(),
        },
        loggers);

    private static async Task<ColdStart> MeasureColdStartAsync(LocalIssuer issuer, string token, string appDirectory)
    {
        var launch = Stopwatch.StartNew();
        TimeSpan first;
        await using (var host = await StartAsync(issuer, appDirectory, NullLoggerFactory.Instance))
        {
            using var client = new HttpClient { BaseAddress = host.BaseAddress };
            first = await TimeOneAsync(client, "api/private", token);
        }

        var coldStart = launch.Elapsed;
        using var signal = new WarmUpSignal();
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(signal));
        await using var warmedUp = await StartAsync(issuer, appDirectory, loggers);
        await signal.Ready.WaitAsync(TimeSpan.FromSeconds(60));
        using var warmClient = new HttpClient { BaseAddress = warmedUp.BaseAddress };
        var firstCall = await TimeOneAsync(warmClient, "api/private", null, expectedStatus: 403);
        var firstToken = await TimeOneAsync(warmClient, "api/private", token);
        var warm = await WarmMedianAsync(warmClient, "api/private", token);
        var firstPublic = await TimeOneAsync(warmClient, "api/public", null);
        var warmPublic = await WarmMedianAsync(warmClient, "api/public", null);
        return new ColdStart(coldStart, first, firstCall, firstToken, warm, firstPublic, warmPublic);
    }

    private static async Task<TimeSpan> WarmMedianAsync(HttpClient client, string path, string? token)
    {
        var latencies = new List<TimeSpan>();
        for (var i = 0; i < 101; i++)
        {
            latencies.Add(await TimeOneAsync(client, path, token));
        }

        return latencies.Order().ElementAt(latencies.Count / 2);
    }

    // The same app compiled ahead of time, as `dotnet publish -r linux-x64 -p:PublishReadyToRun=true` makes it.
    private static async Task<string> PublishReadyToRunAsync()
    {
        var output = Path.Combine(Path.GetTempPath(), "FunctionApp.ReadyToRun");
        var project = Path.GetFullPath(Path.Combine(FunctionsHostOptions.DefaultAppDirectory, "../../../FunctionApp.csproj"));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-p:PublishReadyToRun=true", "-o", output })
        {
            start.ArgumentList.Add(argument);
        }

        using var publish = Process.Start(start)!;
        var log = publish.StandardOutput.ReadToEndAsync();
        await publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        return publish.ExitCode == 0 ? output : throw new InvalidOperationException("dotnet publish failed: " + await log);
    }

    private static async Task<LoadResult> RunAsync(HttpClient client, string path, string? token, int requests, int clients)
    {
        var result = await LoadDriver.RunAsync(client, requests, clients, _ => new LoadRequest(path, token, 200, "{"));
        return result.WrongAnswers == 0
            ? result
            : throw new InvalidOperationException($"{result.WrongAnswers} wrong answers from {path}: the figures would mean nothing.");
    }

    private static async Task<TimeSpan> TimeOneAsync(HttpClient client, string path, string? token, int expectedStatus = 200)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", token);
        }

        var started = Stopwatch.GetTimestamp();
        using var response = await client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        var elapsed = Stopwatch.GetElapsedTime(started);
        return (int)response.StatusCode == expectedStatus
            ? elapsed
            : throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}, not {expectedStatus}.");
    }

    private static long WorkingSet(Process process)
    {
        process.Refresh();
        return process.WorkingSet64;
    }

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("F2", CultureInfo.InvariantCulture) + " ms";

    private static string Ratio(TimeSpan a, TimeSpan b) => (a / b).ToString("F2", CultureInfo.InvariantCulture);

    private static string Met(bool met) => met ? "yes" : "**no**";
}
