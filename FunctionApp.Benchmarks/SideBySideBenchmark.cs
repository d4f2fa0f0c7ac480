using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using FunctionApp.TestHost.Hosting;
using FunctionApp.TestHost.Issuer;
using FunctionApp.TestHost.Load;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionApp.Benchmarks;

/// <summary>
/// The same three scenarios through the app (the real worker under the TestHost) and through a stand-in for the FastAPI
/// sample (Sample/app.py), against one local issuer, in one run: public, private with one token, private with a
/// different valid token on every request.
/// </summary>
public static class SideBySideBenchmark
{
    /// <param name="Requests">Requests per scenario and round to the app.</param>
    /// <param name="SampleRequests">Requests per scenario and round to the sample, which fetches the JWKS on every private request.</param>
    /// <param name="DistinctTokens">Valid tokens minted for the distinct-token scenario.</param>
    /// <param name="Clients">Concurrent clients.</param>
    /// <param name="Rounds">Measured rounds after one warm-up round.</param>
    public sealed record Sizes(int Requests, int SampleRequests, int DistinctTokens, int Clients, int Rounds)
    {
        public static Sizes Full { get; } = new(10_000, 300, 5_000, 16, 3);

        public static Sizes Dry { get; } = new(100, 20, 100, 4, 1);
    }

    private const string Audience = "https://bench.local/api";
    private const string Python = "/usr/bin/python3";

    public static async Task RunAsync(Sizes sizes, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(output);
        await using var issuer = await LocalIssuer.StartAsync(Audience);
        var one = "Bearer " + issuer.CreateToken();
        var distinct = DistinctTokens.Mint(issuer, sizes.DistinctTokens);

        // The app with its memory of verified tokens off: with 5,000 tokens rotating, every private request is then a
        // first sight, as a new client's is. Public and one-token run in a worker with the default settings.
        var rows = new List<string>();
        await using (var host = await StartAppAsync(issuer, memoryKilobytes: null))
        await using (var firstSight = await StartAppAsync(issuer, memoryKilobytes: 0))
        {
            using var client = new HttpClient { BaseAddress = host.BaseAddress };
            using var firstSightClient = new HttpClient { BaseAddress = firstSight.BaseAddress };
            rows.AddRange(await MeasureAsync("app", sizes, sizes.Requests, [
                new("public", client, _ => new LoadRequest("api/public", null, 200, "success")),
                new("private, one token", client, _ => new LoadRequest("api/private", one, 200, "\"sub\"")),
                new("public (second worker)", firstSightClient, _ => new LoadRequest("api/public", null, 200, "success")),
                new("private, distinct tokens (second worker)", firstSightClient, i => new LoadRequest("api/private", distinct[i % distinct.Length], 200, "\"sub\"")),
            ]));
        }

        if (!SampleAvailable(out var why))
        {
            await output.WriteLineAsync($"The sample comparison was skipped: {why}");
        }
        else
        {
            using var sample = await SampleProcess.StartAsync(issuer);
            using var client = new HttpClient { BaseAddress = sample.BaseAddress };
            rows.AddRange(await MeasureAsync("sample", sizes, sizes.SampleRequests, [
                new("public", client, _ => new LoadRequest("api/public", null, 200, "success")),
                new("private, one token", client, _ => new LoadRequest("api/private", one, 200, "\"sub\"")),
                new("private, distinct tokens", client, i => new LoadRequest("api/private", distinct[i % distinct.Length], 200, "\"sub\"")),
                new("private, no token (403)", client, _ => new LoadRequest("api/private", null, 403, "Not authenticated")),
                new("private, bad token (400)", client, _ => new LoadRequest("api/private", "Bearer not-a-token", 400, "\"status\":\"error\"")),
            ]));
        }

        await output.WriteLineAsync($"Side by side: {sizes.Clients} clients, {sizes.Rounds} alternating rounds after a warm-up round");
        await output.WriteLineAsync();
        await output.WriteLineAsync("| App | Scenario | requests/s | p50 | p99 | Statuses (every answer as expected) |");
        await output.WriteLineAsync("| --- | --- | ---: | ---: | ---: | ---: |");
        foreach (var row in rows)
        {
            await output.WriteLineAsync(row);
        }

        await output.WriteLineAsync();
    }

    private sealed record Scenario(string Name, HttpClient Client, Func<int, LoadRequest> RequestAt);

    private static async Task<IEnumerable<string>> MeasureAsync(string app, Sizes sizes, int requests, Scenario[] scenarios)
    {
        var runs = scenarios.ToDictionary(s => s, _ => new List<LoadResult>());
        for (var round = 0; round <= sizes.Rounds; round++)
        {
            foreach (var scenario in scenarios)
            {
                var result = await LoadDriver.RunAsync(scenario.Client, requests, sizes.Clients, scenario.RequestAt);
                if (result.WrongAnswers != 0)
                {
                    throw new InvalidOperationException($"{app}, {scenario.Name}: {result.WrongAnswers} wrong answers; the figures would mean nothing.");
                }

                if (round > 0)
                {
                    runs[scenario].Add(result);
                }
            }
        }

        return scenarios.Select(s =>
        {
            var combined = LoadResult.Combine(runs[s]);
            var statuses = string.Join(", ", combined.StatusCounts.OrderBy(c => c.Key).Select(c => $"{c.Key}: {c.Value}"));
            return string.Create(CultureInfo.InvariantCulture,
                $"| {app} | {s.Name} | {combined.RequestsPerSecond:F0} | {combined.Percentile(0.5).TotalMilliseconds:F2} ms | {combined.Percentile(0.99).TotalMilliseconds:F2} ms | {statuses} |");
        });
    }

    private static Task<FunctionsHost> StartAppAsync(LocalIssuer issuer, int? memoryKilobytes)
    {
        var settings = issuer.AppSettings();
        if (memoryKilobytes is { } kilobytes)
        {
            settings["Auth0__VerifiedTokenMemoryKilobytes"] = kilobytes.ToString(CultureInfo.InvariantCulture);
        }

        return FunctionsHost.StartAsync(new FunctionsHostOptions { AppDirectory = FunctionsHostOptions.DefaultAppDirectory, Settings = settings }, NullLoggerFactory.Instance);
    }

    private static bool SampleAvailable(out string why)
    {
        why = "";
        if (!File.Exists(Python))
        {
            why = $"{Python} is not installed (apt-get install python3-fastapi python3-uvicorn python3-jwt).";
            return false;
        }

        var check = new ProcessStartInfo(Python, ["-c", "import fastapi, uvicorn, jwt"]) { RedirectStandardError = true };
        using var process = Process.Start(check)!;
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        why = "python3-fastapi, python3-uvicorn or python3-jwt is not installed (apt-get install python3-fastapi python3-uvicorn python3-jwt).";
        return process.ExitCode == 0;
    }

    /// <summary>uvicorn serving Sample/app.py on a free loopback port; stopped (this process only) when disposed.</summary>
    private sealed class SampleProcess : IDisposable
    {
        private readonly Process _process;

        private SampleProcess(Process process, Uri baseAddress)
        {
            _process = process;
            BaseAddress = baseAddress;
        }

        public Uri BaseAddress { get; }

        public static async Task<SampleProcess> StartAsync(LocalIssuer issuer)
        {
            int port;
            using (var probe = new TcpListener(System.Net.IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
            }

            var start = new ProcessStartInfo(Python,
                ["-m", "uvicorn", "app:app", "--app-dir", Path.Combine(AppContext.BaseDirectory, "Sample"), "--host", "127.0.0.1",
                 "--port", port.ToString(CultureInfo.InvariantCulture), "--log-level", "warning", "--no-access-log"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["AUTH0_DOMAIN"] = issuer.Authority.AbsoluteUri;
            start.Environment["AUTH0_API_AUDIENCE"] = Audience;
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var sample = new SampleProcess(process, new Uri($"http://127.0.0.1:{port}/"));
            using var client = new HttpClient { BaseAddress = sample.BaseAddress };
            for (var waited = Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(30); await Task.Delay(100))
            {
                try
                {
                    using var response = await client.GetAsync(new Uri("api/public", UriKind.Relative));
                    if (response.IsSuccessStatusCode)
                    {
                        return sample;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
            }

            sample.Dispose();
            throw new InvalidOperationException("The sample did not start within 30 s.");
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit();
            }

            _process.Dispose();
        }
    }
}
