using System.Collections.Concurrent;
using System.Globalization;
using CsCheck;
using Xunit.Abstractions;

namespace FunctionApp.Tests.Support;

/// <summary>
/// Runs a CsCheck property over the same cases on every run: case i is drawn from the i-th seed of a fixed seed's
/// sequence (CsCheck's own Sample fixes only its first case's seed and draws the rest from the clock). The first
/// failing case goes to CsCheck's SampleAsync with its seed, which fails on it again, shrinks it, and throws with the
/// smallest input and its seed. With <c>CsCheck_Seed</c> set, only that seed is run (and shrunk).
/// </summary>
/// <param name="FixedSeed">The CsCheck seed every run starts from, so CI tries the same inputs each time.</param>
/// <param name="DefaultIterations">Cases per property unless the environment variable <c>PROPERTY_ITERATIONS</c> asks for more or fewer.</param>
/// <param name="ShrinkIterations">Further cases CsCheck draws, after the failing one, to find a smaller input that fails.</param>
public sealed record FixedSeedProperty(string FixedSeed, int DefaultIterations, int ShrinkIterations)
{
    /// <summary>Cases per property: <c>PROPERTY_ITERATIONS</c> when set, else <see cref="DefaultIterations"/>.</summary>
    public int Iterations { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("PROPERTY_ITERATIONS"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : DefaultIterations;

    public async Task CheckAsync<T>(Gen<T> gen, Func<T, Task> property, ITestOutputHelper output, int threads = 2)
    {
        ArgumentNullException.ThrowIfNull(gen);
        ArgumentNullException.ThrowIfNull(output);
        if (Check.Seed is { } replay)
        {
            await gen.SampleAsync(property, seed: replay, iter: ShrinkIterations, threads: threads, print: c => c!.ToString()!);
            return;
        }

        var sequence = PCG.Parse(FixedSeed);
        var seeds = Enumerable.Range(0, Iterations).Select(_ => sequence.Next64()).ToArray();
        var next = -1;
        (string Seed, Exception Failure)? failing = null;
        var gate = new Lock();
        var workers = Enumerable.Range(0, threads).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                lock (gate)
                {
                    if (failing is not null)
                    {
                        return;
                    }
                }

                var i = Interlocked.Increment(ref next);
                if (i >= seeds.Length)
                {
                    return;
                }

                var pcg = new PCG(sequence.Stream, seeds[i]);
                var seed = pcg.ToString();
                try
                {
                    await property(gen.Generate(pcg, null, out Size _));
                }
                catch (Exception failure)
                {
                    lock (gate)
                    {
                        failing ??= (seed, failure);
                    }
                }
            }
        }));
        await Task.WhenAll(workers);
        if (failing is { } first)
        {
            output.WriteLine($"First failure, seed {first.Seed}: {first.Failure.Message}");
            await gen.SampleAsync(property, seed: first.Seed, iter: ShrinkIterations, threads: threads, print: c => c!.ToString()!);
            throw new InvalidOperationException(
                $"The case of seed {first.Seed} failed once but not again, so the property depends on more than its input:\n"
                + gen.Generate(PCG.Parse(first.Seed), null, out Size _), first.Failure);
        }

        output.WriteLine($"{Iterations:N0} cases from seed {FixedSeed}, all passed.");
    }

    /// <summary>Writes how often each answer came, in all and by the family of generator that made the case.</summary>
    public static void WriteTally(ConcurrentDictionary<(string Family, string Result), int> tally, ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(tally);
        ArgumentNullException.ThrowIfNull(output);
        foreach (var (result, count) in tally.GroupBy(t => t.Key.Result).Select(g => (g.Key, g.Sum(t => t.Value))).OrderByDescending(r => r.Item2))
        {
            output.WriteLine($"{result}: {count:N0}");
        }

        foreach (var ((family, result), count) in tally.OrderBy(t => t.Key.Family, StringComparer.Ordinal).ThenByDescending(t => t.Value))
        {
            output.WriteLine($"  {family} / {result}: {count:N0}");
        }
    }
}
