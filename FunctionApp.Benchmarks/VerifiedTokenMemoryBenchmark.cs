using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FunctionApp.Auth;
using Microsoft.Extensions.Options;

namespace FunctionApp.Benchmarks;

/// <summary>
/// The verified-token memory on its own: what one entry really takes on the heap against <see cref="VerifiedTokenMemory.CostOf"/>
/// (which the Auth0__VerifiedTokenMemoryKilobytes budget relies on), and how often a returning client is found when
/// more clients come back than the memory holds.
/// </summary>
public static class VerifiedTokenMemoryBenchmark
{
    /// <param name="Entries">Entries added for the per-entry figure.</param>
    /// <param name="Capacity">Entries the memory holds in the hit-rate part.</param>
    /// <param name="RequestsPerClient">Requests per client of the working set in the hit-rate part.</param>
    public sealed record Sizes(int Entries, int Capacity, int RequestsPerClient)
    {
        public static Sizes Full { get; } = new(20_000, 2_000, 20);

        public static Sizes Dry { get; } = new(1_000, 200, 2);
    }

    private static readonly DateTime Now = DateTime.UtcNow;

    public static async Task RunAsync(Sizes sizes, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(output);
        await output.WriteLineAsync("| Figure | Measured | Goal | Met |");
        await output.WriteLineAsync("| --- | --- | --- | --- |");
        foreach (var checkedPermissions in new[] { false, true })
        {
            var (length, real, estimated) = MeasureEntries(sizes.Entries, checkedPermissions);
            var goal = (2 * length) + 1024;
            var what = checkedPermissions ? "after a permission check" : "as remembered";
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"| Bytes per entry ({length:F0}-character tokens, {sizes.Entries:N0} entries, {what}): on the heap / CostOf | {real:F0} / {estimated:F0} ({estimated / real:F2}x) | <= 2 x length + 1 KB = {goal:F0}; CostOf >= heap | {(real <= goal && estimated >= real ? "yes" : "**no**")} |"));
        }

        var proofBytes = MeasureRememberedProofs(sizes.Entries * 10);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"| Bytes per remembered DPoP proof ({sizes.Entries * 10:N0} proofs): on the heap / DPoPReplayMemory.EntryBytes | {proofBytes:F0} / {DPoPReplayMemory.EntryBytes} | EntryBytes >= heap | {(DPoPReplayMemory.EntryBytes >= proofBytes ? "yes" : "**no**")} |"));

        var random = new Random(13);
        foreach (var workingSet in new[] { sizes.Capacity / 2, sizes.Capacity, 2 * sizes.Capacity, 4 * sizes.Capacity })
        {
            var uniform = HitRate(sizes.Capacity, workingSet, sizes.RequestsPerClient, () => random.Next(workingSet));
            var skewed = HitRate(sizes.Capacity, workingSet, sizes.RequestsPerClient, Zipf(workingSet, random));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"| Returning clients found, {workingSet:N0} clients for room for {sizes.Capacity:N0}: uniform, Zipf (s = 1) | {uniform:P0}, {skewed:P0} | (reported; uniform cannot beat {Math.Min(1.0, sizes.Capacity / (double)workingSet):P0}) | |"));
        }

        await output.WriteLineAsync();
    }

    // What the replay memory of DPoP proofs holds per proof, with a budget far above what the proofs take.
    private static double MeasureRememberedProofs(int count)
    {
        var options = Options.Create(new Auth0Options { DPoPReplayMemoryKilobytes = 4 * 1024 * 1024 });
        var thumbprint = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = DateTimeOffset.UtcNow;
        var until = now.AddMinutes(5);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var memory = new DPoPReplayMemory(options);
        for (var i = 0; i < count; i++)
        {
            memory.TryRemember(thumbprint, i.ToString(CultureInfo.InvariantCulture), until, now);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(memory);
        return (after - before) / (double)count;
    }

    // Tokens shaped as the local issuer's (RS256 header, Auth0 claims, a 256-byte signature); their signatures are
    // never checked here.
    private static string Token(int number)
    {
        var header = new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = "local-key-1" };
        var payload = new JsonObject
        {
            ["iss"] = "http://127.0.0.1:40000/",
            ["sub"] = "demo-0123456789abcdef0123456789abcdef@clients",
            ["aud"] = "https://bench.local/api",
            ["iat"] = 1_800_000_000,
            ["exp"] = 1_800_003_600,
            ["azp"] = "demo-0123456789abcdef0123456789abcdef",
            ["gty"] = "client-credentials",
            ["scope"] = "read:messages",
            ["jti"] = number.ToString(CultureInfo.InvariantCulture),
        };
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString())) + "."
            + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString())) + "."
            + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(256));
    }

    private static VerifiedAccessToken Verified(string token)
    {
        var firstDot = token.IndexOf('.', StringComparison.Ordinal);
        var payload = Base64Url.DecodeFromChars(token.AsSpan(firstDot + 1, token.LastIndexOf('.') - firstDot - 1));
        return new VerifiedAccessToken(payload, "local-key-1", Now.AddHours(1));
    }

    // The heap growth of remembering entries as the validator does (the decoded payload, the verified token, the
    // string of the token's text the validator makes from the header, which the memory keeps), the header strings
    // themselves made beforehand as the request made them.
    private static (double Length, double Real, double Estimated) MeasureEntries(int count, bool checkPermissions)
    {
        var tokens = Enumerable.Range(0, count).Select(Token).ToArray();
        var memory = new VerifiedTokenMemory(long.MaxValue / 4, TimeProvider.System);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        foreach (var token in tokens)
        {
            var verified = Verified(token);
            memory.Remember(token.AsSpan().ToString(), verified);
            if (checkPermissions)
            {
                verified.Grants("read:messages");
            }
        }

        var real = (GC.GetTotalMemory(forceFullCollection: true) - before) / (double)count;
        GC.KeepAlive(memory);
        GC.KeepAlive(tokens);
        return (tokens.Average(t => t.Length), real, memory.Bytes / (double)memory.Count);
    }

    // A miss is a first sight: the validator verifies the token and remembers it.
    private static double HitRate(int capacity, int workingSet, int requestsPerClient, Func<int> nextClient)
    {
        var tokens = Enumerable.Range(0, workingSet).Select(Token).ToArray();
        var verified = tokens.Select(Verified).ToArray();
        var memory = new VerifiedTokenMemory(capacity * VerifiedTokenMemory.CostOf(tokens[0], verified[0]), TimeProvider.System);
        var requests = workingSet * requestsPerClient;
        var hits = 0;
        for (var i = 0; i < requests; i++)
        {
            var client = nextClient();
            if (memory.TryGet(tokens[client], Now, out _))
            {
                hits++;
            }
            else
            {
                memory.Remember(tokens[client], verified[client]);
            }
        }

        return hits / (double)requests;
    }

    // Client k comes back with probability proportional to 1 / (k + 1): a few busy clients and a long tail.
    private static Func<int> Zipf(int clients, Random random)
    {
        var cumulative = new double[clients];
        var sum = 0.0;
        for (var k = 0; k < clients; k++)
        {
            sum += 1.0 / (k + 1);
            cumulative[k] = sum;
        }

        return () =>
        {
            var index = Array.BinarySearch(cumulative, random.NextDouble() * sum);
            return index >= 0 ? index : Math.Min(~index, clients - 1);
        };
    }
}
