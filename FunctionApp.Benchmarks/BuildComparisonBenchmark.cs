using System.Globalization;
using FunctionApp.TestHost.Hosting;
using FunctionApp.TestHost.Issuer;
using FunctionApp.TestHost.Load;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionApp.Benchmarks;

/// <summary>
/// Two builds of the app (for example the commit before a change and the commit after) under the TestHost in one run,
/// against one local issuer: public, private with one token, private with a different valid token on every request.
/// Every round measures both builds, taking turns at going first, so that drift in the machine falls on both alike.
/// </summary>
public static class BuildComparisonBenchmark
{
    /// <param name="Requests">Requests per scenario, build and round.</param>
    /// <param name="DistinctTokens">Valid tokens minted for the distinct-token scenario.</param>
    /// <param name="Clients">Concurrent clients.</param>
    /// <param name="Rounds">Measured rounds after one warm-up round.</param>
    public sealed record Sizes(int Requests, int DistinctTokens, int Clients, int Rounds)
    {
        public static Sizes Full { get; } = new(20_000, 5_000, 16, 5);

        public static Sizes Dry { get; } = new(100, 100, 4, 1);
    }

    private const string Audience = "https://bench.local/api";

    private sealed record Scenario(string Name, bool FirstSight, Func<int, LoadRequest> RequestAt, double? Goal);

    public static async Task RunAsync(Sizes sizes, string before, string after, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(output);
        await using var issuer = await LocalIssuer.StartAsync(Audience);
        var one = "Bearer " + issuer.CreateToken();
        var distinct = DistinctTokens.Mint(issuer, sizes.DistinctTokens);
        Scenario[] scenarios =
        [
            new("public", false, _ => new LoadRequest("api/public", null, 200, "success"), null),
            new("private, one token", false, _ => new LoadRequest("api/private", one, 200, "\"sub\""), 0.9),
            new("private, distinct tokens (memory off: every request a first sight)", true, i => new LoadRequest("api/private", distinct[i % distinct.Length], 200, "\"sub\""), 0.85),
        ];

        // Per build, a worker with the default settings and one with the verified-token memory off, so that each of
        // the rotating tokens is a first sight on every request, as a new client's is.
        await using var beforeHost = await StartAsync(issuer, before, memoryOff: false);
        await using var beforeFirstSight = await StartAsync(issuer, before, memoryOff: true);
        await using var afterHost = await StartAsync(issuer, after, memoryOff: false);
        await using var afterFirstSight = await StartAsync(issuer, after, memoryOff: true);
        using var beforeClient = new HttpClient { BaseAddress = beforeHost.BaseAddress };
        using var beforeFirstSightClient = new HttpClient { BaseAddress = beforeFirstSight.BaseAddress };
        using var afterClient = new HttpClient { BaseAddress = afterHost.BaseAddress };
        using var afterFirstSightClient = new HttpClient { BaseAddress = afterFirstSight.BaseAddress };

        var runs = scenarios.ToDictionary(s => s, _ => (Before: new List<LoadResult>(), After: new List<LoadResult>()));
        for (var round = 0; round <= sizes.Rounds; round++)
        {
            foreach (var scenario in scenarios)
            {
                var beforeFirst = round % 2 == 0;
                foreach (var isBefore in beforeFirst ? new[] { true, false } : [false, true])
                {
                    var client = (isBefore, scenario.FirstSight) switch
                    {
                        (true, false) => beforeClient,
                        (true, true) => beforeFirstSightClient,
                        (false, false) => afterClient,
                        (false, true) => afterFirstSightClient,
                    };
                    var result = await LoadDriver.RunAsync(client, sizes.Requests, sizes.Clients, scenario.RequestAt);
                    if (result.WrongAnswers != 0)
                    {
                        throw new InvalidOperationException($"{(isBefore ? "before" : "after")}, {scenario.Name}: {result.WrongAnswers} wrong answers; the figures would mean nothing.");
                    }

                    if (round > 0)
                    {
                        (isBefore ? runs[scenario].Before : runs[scenario].After).Add(result);
                    }
                }
            }
        }

        await output.WriteLineAsync($"Before: {before}");
        await output.WriteLineAsync($"After: {after}");
        await output.WriteLineAsync($"{sizes.Clients} clients, {sizes.Requests:N0} requests per scenario, build and round, {sizes.Rounds} rounds after a warm-up round; every answer checked");
        await output.WriteLineAsync();
        await output.WriteLineAsync("| Scenario | before: requests/s, p50, p99 | after: requests/s, p50, p99 | after / before | Goal | Met |");
        await output.WriteLineAsync("| --- | --- | --- | ---: | --- | --- |");
        foreach (var scenario in scenarios)
        {
            var (b, a) = (LoadResult.Combine(runs[scenario].Before), LoadResult.Combine(runs[scenario].After));
            var ratio = a.RequestsPerSecond / b.RequestsPerSecond;
            var goal = scenario.Goal is { } g ? $">= {g:F2}x" : "(reference)";
            var met = scenario.Goal is { } least ? (ratio >= least ? "yes" : "no") : "";
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"| {scenario.Name} | {Figures(b)} | {Figures(a)} | {ratio:F2}x | {goal} | {met} |"));
        }

        await output.WriteLineAsync();
    }

    private static string Figures(LoadResult result) => string.Create(CultureInfo.InvariantCulture,
        $"{result.RequestsPerSecond:F0}, {result.Percentile(0.5).TotalMilliseconds:F2} ms, {result.Percentile(0.99).TotalMilliseconds:F2} ms");

    private static Task<FunctionsHost> StartAsync(LocalIssuer issuer, string appDirectory, bool memoryOff)
    {
        var settings = issuer.AppSettings();
        if (memoryOff)
        {
            settings["Auth0__VerifiedTokenMemoryKilobytes"] = "0";
        }

        return FunctionsHost.StartAsync(new FunctionsHostOptions { AppDirectory = appDirectory, Settings = settings }, NullLoggerFactory.Instance);
    }
}
