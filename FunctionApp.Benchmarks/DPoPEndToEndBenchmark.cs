using System.Diagnostics;
using System.Globalization;
using FunctionApp.TestHost.Hosting;
using FunctionApp.TestHost.Issuer;
using FunctionApp.TestHost.Load;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionApp.Benchmarks;

/// <summary>
/// DPoP against Bearer as users run the app: the real worker under FunctionApp.TestHost, driven over HTTP by the C#
/// load driver, <c>GET /api/private</c> with a Bearer token and with a DPoP-bound token and a fresh proof per request,
/// each token seen before. Public requests carrying the same headers separate the headers' transport from the app's
/// work. The proofs are made before each timed run; what making one costs the client is reported on its own line.
/// </summary>
public static class DPoPEndToEndBenchmark
{
    /// <summary>How many requests each part sends.</summary>
    /// <param name="Requests">Requests per scenario, round and concurrency.</param>
    /// <param name="Concurrency">The numbers of concurrent clients.</param>
    /// <param name="Rounds">Measured rounds after one warm-up round.</param>
    public sealed record Sizes(int Requests, int[] Concurrency, int Rounds)
    {
        // 120,000 DPoP requests to /api/private in about two minutes: within the default replay memory (16 MiB,
        // 262,144 proofs, each kept until it is 5 minutes old), which refuses proofs with 503 once it is full.
        public static Sizes Full { get; } = new(10_000, [1, 16, 64], 3);

        public static Sizes Dry { get; } = new(200, [1, 16], 1);
    }

    private const string Audience = "https://bench.local/api";
    private const string Private = "api/private";
    private const string Public = "api/public";

    public static async Task RunAsync(Sizes sizes, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(output);
        await using var issuer = await LocalIssuer.StartAsync(Audience);
        using var key = DPoPKey.CreateEs256();
        var bearer = "Bearer " + issuer.CreateToken();
        var boundToken = issuer.CreateBoundToken(key);
        var dpop = "DPoP " + boundToken;

        // The worker with the app's default settings: DPoP allowed, no nonces, the default memories.
        await using var host = await FunctionsHost.StartAsync(
            new FunctionsHostOptions { AppDirectory = FunctionsHostOptions.DefaultAppDirectory, Settings = issuer.AppSettings() },
            NullLoggerFactory.Instance);
        using var proofs = new ProofHeaderHandler();
        using var client = new HttpClient(proofs) { BaseAddress = host.BaseAddress };
        var target = new Uri(host.BaseAddress, Private).AbsoluteUri;
        using var worker = Process.GetProcessById(host.WorkerProcessId);
        var minting = new Stopwatch();
        var minted = 0;

        // The proofs of one run, made just before it (their iat is then seconds old), on one thread, timed apart. The
        // worker's CPU time per request is the app's own cost, whatever the host and the load driver take beside it.
        async Task<(LoadResult Result, double WorkerCpu)> MeasureAsync(string path, string authorization, bool withProofs, int clients)
        {
            string[]? batch = null;
            if (withProofs)
            {
                minting.Start();
                batch = new string[sizes.Requests];
                for (var i = 0; i < batch.Length; i++)
                {
                    batch[i] = key.CreateProof("GET", target, boundToken);
                }

                minting.Stop();
                minted += batch.Length;
            }

            proofs.Load(batch);
            worker.Refresh();
            var cpu = worker.TotalProcessorTime;
            var result = await LoadDriver.RunAsync(client, sizes.Requests, clients, _ => new LoadRequest(path, authorization, 200, "{"));
            worker.Refresh();
            var workerCpu = (worker.TotalProcessorTime - cpu).TotalMicroseconds / sizes.Requests;
            proofs.Load(null);
            return result.WrongAnswers == 0
                ? (result, workerCpu)
                : throw new InvalidOperationException($"{result.WrongAnswers} wrong answers from {path} ({Statuses(result)}): the figures would mean nothing.");
        }

        var rows = new List<string>();
        var non2xx = 0;
        foreach (var clients in sizes.Concurrency)
        {
            var scenarios = new (string Path, string Authorization, bool WithProofs)[]
            {
                (Private, bearer, false),
                (Private, dpop, true),
                (Public, bearer, false),
                (Public, dpop, true),
            };
            var runs = scenarios.Select(_ => new List<LoadResult>()).ToArray();
            var workerCpu = scenarios.Select(_ => new List<double>()).ToArray();
            // Round 0 is the warm-up; then the scenarios alternate, so that drift in the machine falls on all alike.
            for (var round = 0; round <= sizes.Rounds; round++)
            {
                for (var s = 0; s < scenarios.Length; s++)
                {
                    var (result, cpu) = await MeasureAsync(scenarios[s].Path, scenarios[s].Authorization, scenarios[s].WithProofs, clients);
                    non2xx += result.StatusCounts.Where(c => c.Key is < 200 or > 299).Sum(c => c.Value);
                    if (round > 0)
                    {
                        runs[s].Add(result);
                        workerCpu[s].Add(cpu);
                    }
                }
            }

            var (bearerPrivate, dpopPrivate, bearerPublic, dpopPublic) =
                (LoadResult.Combine(runs[0]), LoadResult.Combine(runs[1]), LoadResult.Combine(runs[2]), LoadResult.Combine(runs[3]));
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {clients} | {bearerPrivate.RequestsPerSecond:F0}, {dpopPrivate.RequestsPerSecond:F0} | {dpopPrivate.RequestsPerSecond / bearerPrivate.RequestsPerSecond:F2}x "
                + $"| {Ms(bearerPrivate.Percentile(0.5))}, {Ms(dpopPrivate.Percentile(0.5))} "
                + $"| {Ms(bearerPrivate.Percentile(0.99))}, {Ms(dpopPrivate.Percentile(0.99))} ({dpopPrivate.Percentile(0.99) / bearerPrivate.Percentile(0.99):F2}x) "
                + $"| {bearerPublic.RequestsPerSecond:F0}, {dpopPublic.RequestsPerSecond:F0} "
                + $"| {bearerPrivate.RequestsPerSecond / bearerPublic.RequestsPerSecond:F2}x, {dpopPrivate.RequestsPerSecond / dpopPublic.RequestsPerSecond:F2}x "
                + $"| {workerCpu[0].Average():F0}, {workerCpu[1].Average():F0}; {workerCpu[2].Average():F0}, {workerCpu[3].Average():F0} |"));
        }

        await output.WriteLineAsync($"GET /api/private, Bearer against DPoP (a fresh proof per request), tokens seen before; {sizes.Requests:N0} requests per scenario and round, {sizes.Rounds} rounds after a warm-up, scenarios alternating");
        await output.WriteLineAsync();
        await output.WriteLineAsync("| Clients | requests/s: Bearer, DPoP | DPoP / Bearer | p50: Bearer, DPoP | p99: Bearer, DPoP | requests/s of /api/public with the same headers: Bearer's, DPoP's | private / public with the same headers: Bearer, DPoP | worker CPU µs per request: private Bearer, DPoP; public with Bearer's, DPoP's headers |");
        await output.WriteLineAsync("| ---: | --- | ---: | --- | --- | --- | --- | --- |");
        foreach (var row in rows)
        {
            await output.WriteLineAsync(row);
        }

        await output.WriteLineAsync();
        var sampleProof = key.CreateProof("GET", target, boundToken);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Non-2xx answers: {non2xx} (goal 0: {(non2xx == 0 ? "met" : "**not met**")}). Client, not in the figures above: {minting.Elapsed.TotalMicroseconds / Math.Max(1, minted):F1} µs to make one proof (one thread, {minted:N0} proofs). "
            + $"Headers: Bearer's Authorization {bearer.Length} characters; DPoP's Authorization {dpop.Length} and DPoP {sampleProof.Length}."));
        await output.WriteLineAsync();
    }

    private static string Statuses(LoadResult result) =>
        string.Join(", ", result.StatusCounts.OrderBy(s => s.Key).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key}: {s.Value}")));

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("F2", CultureInfo.InvariantCulture) + " ms";
}
