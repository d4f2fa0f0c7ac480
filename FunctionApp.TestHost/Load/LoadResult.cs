namespace FunctionApp.TestHost.Load;

/// <summary>What a load run measured: counts by status, wrong answers, and every latency.</summary>
public sealed class LoadResult
{
    private readonly TimeSpan[] _sortedLatencies;

    public LoadResult(TimeSpan elapsed, IReadOnlyDictionary<int, int> statusCounts, int wrongAnswers, TimeSpan[] latencies)
    {
        ArgumentNullException.ThrowIfNull(latencies);
        Elapsed = elapsed;
        StatusCounts = statusCounts;
        WrongAnswers = wrongAnswers;
        _sortedLatencies = [.. latencies.Order()];
    }

    public TimeSpan Elapsed { get; }

    /// <summary>Several runs as one: their requests, time and latencies added up.</summary>
    public static LoadResult Combine(IReadOnlyCollection<LoadResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var statuses = runs.SelectMany(r => r.StatusCounts)
            .GroupBy(s => s.Key)
            .ToDictionary(g => g.Key, g => g.Sum(s => s.Value));
        return new LoadResult(
            TimeSpan.FromTicks(runs.Sum(r => r.Elapsed.Ticks)),
            statuses,
            runs.Sum(r => r.WrongAnswers),
            [.. runs.SelectMany(r => r._sortedLatencies)]);
    }

    public IReadOnlyDictionary<int, int> StatusCounts { get; }

    /// <summary>Answers whose status or body differed from what the request expected.</summary>
    public int WrongAnswers { get; }

    public int Requests => _sortedLatencies.Length;

    public int ServerErrors => StatusCounts.Where(s => s.Key >= 500).Sum(s => s.Value);

    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;

    /// <summary>The latency below which <paramref name="fraction"/> of the requests finished (0.5 for p50).</summary>
    public TimeSpan Percentile(double fraction) =>
        _sortedLatencies[Math.Clamp((int)Math.Ceiling(fraction * _sortedLatencies.Length) - 1, 0, _sortedLatencies.Length - 1)];
}
