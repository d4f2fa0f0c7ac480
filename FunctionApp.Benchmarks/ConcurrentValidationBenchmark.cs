using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FunctionApp.Auth;
using FunctionApp.TestHost.Issuer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionApp.Benchmarks;

/// <summary>
/// First-sight validation under concurrency: every operation validates a token the validator has never seen, on 1, 2
/// and 4 threads, against a raw RSA-2048 verify of the same signatures on the same number of threads. A fixed number
/// of operations per thread, wall time measured, a warm-up first, then rounds that alternate the two paths.
/// </summary>
public static class ConcurrentValidationBenchmark
{
    /// <param name="OperationsPerThread">Distinct tokens each thread validates (and verifies) per round.</param>
    /// <param name="Rounds">Measured rounds after the warm-up.</param>
    public sealed record Sizes(int OperationsPerThread, int Rounds)
    {
        public static Sizes Full { get; } = new(2_000, 7);

        public static Sizes Dry { get; } = new(20, 1);
    }

    private const string Audience = "https://bench.local/api";
    private static readonly int[] ThreadCounts = [1, 2, 4];

    public static async Task RunAsync(Sizes sizes, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(output);
        await using var issuer = await LocalIssuer.StartAsync(Audience);
        var maxThreads = ThreadCounts.Max();
        var tokens = Mint(issuer, maxThreads * sizes.OperationsPerThread);
        var signed = tokens.Select(Split).ToArray();
        var publicKey = issuer.SigningKey.Rsa.ExportParameters(includePrivateParameters: false);

        var validation = ThreadCounts.ToDictionary(t => t, _ => new List<Measurement>());
        var raw = ThreadCounts.ToDictionary(t => t, _ => new List<Measurement>());
        // Round 0 is the warm-up: its figures are dropped.
        for (var round = 0; round <= sizes.Rounds; round++)
        {
            foreach (var threads in ThreadCounts)
            {
                var v = await MeasureValidationAsync(issuer, tokens, threads, sizes.OperationsPerThread);
                var r = MeasureRawVerify(publicKey, signed, threads, sizes.OperationsPerThread);
                if (round > 0)
                {
                    validation[threads].Add(v);
                    raw[threads].Add(r);
                }
            }
        }

        await output.WriteLineAsync($"First-sight validation against a raw RSA-2048 verify, {sizes.OperationsPerThread:N0} distinct tokens per thread, medians of {sizes.Rounds} alternating rounds");
        await output.WriteLineAsync();
        await output.WriteLineAsync("| Threads | raw verify: ops/s, CPU µs/op, B/op | validation: ops/s, CPU µs/op, B/op, gen0/1/2 GCs per round | validation / raw throughput (median of rounds) | Goal | Met | raw / validation CPU per op |");
        await output.WriteLineAsync("| ---: | --- | --- | ---: | --- | --- | ---: |");
        foreach (var threads in ThreadCounts)
        {
            var v = validation[threads];
            var r = raw[threads];
            var ratio = Median(v.Zip(r, (a, b) => a.OperationsPerSecond / b.OperationsPerSecond));
            var cpuRatio = Median(v.Zip(r, (a, b) => b.CpuMicroseconds / a.CpuMicroseconds));
            var goal = threads >= 2 ? ">= 0.7x" : "(reported)";
            var met = threads >= 2 ? (ratio >= 0.7 ? "yes" : "**no**") : "";
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"| {threads} | {Median(r.Select(m => m.OperationsPerSecond)):F0}, {Median(r.Select(m => m.CpuMicroseconds)):F1}, {Median(r.Select(m => m.BytesPerOperation)):F0} | {Median(v.Select(m => m.OperationsPerSecond)):F0}, {Median(v.Select(m => m.CpuMicroseconds)):F1}, {Median(v.Select(m => m.BytesPerOperation)):F0}, {Median(v.Select(m => (double)m.Gen0)):F0}/{Median(v.Select(m => (double)m.Gen1)):F0}/{Median(v.Select(m => (double)m.Gen2)):F0} | {ratio:F2}x | {goal} | {met} | {cpuRatio:F2}x |"));
        }

        await output.WriteLineAsync();
    }

    // CpuMicroseconds: the process's CPU time per operation, GC threads included; less moved than wall time by
    // whatever else runs on the machine.
    private sealed record Measurement(double OperationsPerSecond, double CpuMicroseconds, double BytesPerOperation, int Gen0, int Gen1, int Gen2);

    private static string[] Mint(LocalIssuer issuer, int count)
    {
        var tokens = new string[count];
        // A jti makes every token distinct, as the distinct clients of real traffic make theirs.
        Parallel.For(0, count, i =>
        {
            var payload = issuer.NewPayload();
            payload["jti"] = i.ToString(CultureInfo.InvariantCulture);
            payload["scope"] = "read:messages";
            tokens[i] = issuer.Sign(issuer.NewHeader(), payload);
        });
        return tokens;
    }

    private static (byte[] SigningInput, byte[] Signature) Split(string token)
    {
        var lastDot = token.LastIndexOf('.');
        return (Encoding.ASCII.GetBytes(token[..lastDot]), Base64Url.DecodeFromChars(token.AsSpan(lastDot + 1)));
    }

    // A fresh validator each round, its keys fetched (with one token of its own) before the clock starts, so that every
    // token of the round is a first sight for it, as the app's memory of verified tokens sees each new client.
    private static async Task<Measurement> MeasureValidationAsync(LocalIssuer issuer, string[] tokens, int threads, int operations)
    {
        await using var services = Services(issuer);
        var validator = services.GetRequiredService<Auth0TokenValidator>();
        if (!(await validator.ValidateAsync(new ProtectedRequest("Bearer " + issuer.CreateToken(), null, "GET", null), CancellationToken.None)).IsVerified)
        {
            throw new InvalidOperationException("The local issuer's keys could not be fetched.");
        }

        var headers = tokens.Select(t => new ProtectedRequest("Bearer " + t, null, "GET", null)).ToArray();
        return Measure(threads, operations, index =>
        {
            if (!validator.ValidateAsync(headers[index], CancellationToken.None).GetAwaiter().GetResult().IsVerified)
            {
                throw new InvalidOperationException("A valid token was rejected: the figures would mean nothing.");
            }
        });
    }

    private static Measurement MeasureRawVerify(RSAParameters publicKey, (byte[] SigningInput, byte[] Signature)[] signed, int threads, int operations)
    {
        // One RSA object per thread, made before the clock starts: the cheapest way to verify.
        var keys = Enumerable.Range(0, threads).Select(_ => RSA.Create(publicKey)).ToArray();
        try
        {
            return Measure(threads, operations, index =>
            {
                var (input, signature) = signed[index];
                if (!keys[index / operations].VerifyData(input, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
                {
                    throw new InvalidOperationException("A signature did not verify.");
                }
            });
        }
        finally
        {
            foreach (var key in keys)
            {
                key.Dispose();
            }
        }
    }

    // Runs operations[thread * operations .. (thread + 1) * operations) on each thread, all released at once.
    private static Measurement Measure(int threads, int operations, Action<int> operation)
    {
        using var start = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(thread => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = thread * operations; i < (thread + 1) * operations; i++)
            {
                operation(i);
            }
        })).ToArray();
        foreach (var worker in workers)
        {
            worker.Start();
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        start.SignalAndWait();
        var clock = Stopwatch.StartNew();
        foreach (var worker in workers)
        {
            worker.Join();
        }

        var elapsed = clock.Elapsed;
        var total = threads * operations;
        return new Measurement(
            total / elapsed.TotalSeconds,
            (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / total,
            (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)total,
            GC.CollectionCount(0) - gen0,
            GC.CollectionCount(1) - gen1,
            GC.CollectionCount(2) - gen2);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static ServiceProvider Services(LocalIssuer issuer)
    {
        return new ServiceCollection()
            .AddAuth0TokenValidation(issuer.AppConfiguration().GetSection("Auth0"))
            .BuildServiceProvider();
    }
}
