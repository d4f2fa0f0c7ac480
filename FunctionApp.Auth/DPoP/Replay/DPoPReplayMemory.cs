using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace FunctionApp.Auth;

/// <summary>
/// The proofs this instance accepted, each until it is too old to be accepted again, so a proof sent twice is refused
/// the second time. Every answer is given at the instant of the request's own clock reading, the one its other checks
/// used, so no replay can straddle the moment a proof stops being acceptable. A proof is known by its jti scoped to its key's thumbprint, kept as 128 bits of their SHA-256.
/// Bounded by bytes; when full of proofs that are still acceptable it refuses to take more (the request is answered
/// 503 and may be retried) rather than forget one and let it be replayed.
/// </summary>
internal sealed class DPoPReplayMemory : IDPoPReplayStore
{
    /// <summary>
    /// What one entry costs: its key and expiry, the dictionary's node and its share of the buckets. Measured by
    /// FunctionApp.Benchmarks (memory).
    /// </summary>
    public const int EntryBytes = 80;

    /// <summary>
    /// How long past its last acceptable instant an entry is kept before a sweep drops it: a request whose clock reading
    /// is a little older than the sweeper's still finds the entry it must be refused by.
    /// </summary>
    public static readonly TimeSpan SweepGrace = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<UInt128, long> _expiries = new();
    private readonly long _capacity;
    private readonly Lock _sweep = new();
    private long _count;
    private long _lastSweep;

    public DPoPReplayMemory(IOptions<Auth0Options> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _capacity = Math.Max(1, options.Value.DPoPReplayMemoryKilobytes * 1024L / EntryBytes);
    }

    public long Count => Interlocked.Read(ref _count);

    /// <summary>
    /// Remembers a proof through <paramref name="lastAcceptable"/>, the last instant any check accepts it, unless it is
    /// remembered already or there is no room; <paramref name="now"/> is the request's clock reading.
    /// </summary>
    public DPoPReplayOutcome TryRemember(string thumbprint, string jti, DateTimeOffset lastAcceptable, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(thumbprint);
        ArgumentNullException.ThrowIfNull(jti);
        var key = KeyOf(thumbprint, jti);
        var at = now.UtcTicks;
        var until = lastAcceptable.UtcTicks;
        SweepWhenDue(at);
        while (true)
        {
            if (_expiries.TryGetValue(key, out var known))
            {
                // Until its last acceptable instant included; after it the jti may be reused and the entry is taken over.
                if (known >= at)
                {
                    return DPoPReplayOutcome.Replayed;
                }

                if (_expiries.TryUpdate(key, until, known))
                {
                    return DPoPReplayOutcome.Remembered;
                }

                continue;
            }

            // A full memory is swept again at most once a second, so a flood of proofs cannot make every request sweep.
            if (Interlocked.Read(ref _count) >= _capacity
                && (at - Interlocked.Read(ref _lastSweep) < TimeSpan.TicksPerSecond || !SweepNow(at)))
            {
                return DPoPReplayOutcome.Full;
            }

            if (_expiries.TryAdd(key, until))
            {
                Interlocked.Increment(ref _count);
                return DPoPReplayOutcome.Remembered;
            }
        }
    }

    ValueTask<DPoPReplayOutcome> IDPoPReplayStore.TryRememberAsync(
        string thumbprint, string jti, DateTimeOffset lastAcceptable, DateTimeOffset now, CancellationToken cancellationToken) =>
        ValueTask.FromResult(TryRemember(thumbprint, jti, lastAcceptable, now));

    private static UInt128 KeyOf(string thumbprint, string jti)
    {
        // The thumbprint is base64url, so the separator cannot occur in it: no two (thumbprint, jti) pairs share an input.
        var input = Encoding.UTF8.GetBytes(thumbprint + "." + jti);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        return BinaryPrimitives.ReadUInt128LittleEndian(hash);
    }

    // Expired entries are dropped in one pass a minute, by whichever request finds the pass due.
    private void SweepWhenDue(long now)
    {
        if (now - Interlocked.Read(ref _lastSweep) >= TimeSpan.TicksPerMinute)
        {
            SweepNow(now);
        }
    }

    // True when the pass left room for one more entry.
    private bool SweepNow(long now)
    {
        if (_sweep.TryEnter())
        {
            try
            {
                var dropBefore = now - SweepGrace.Ticks;
                foreach (var (key, expiry) in _expiries)
                {
                    if (expiry < dropBefore && _expiries.TryRemove(KeyValuePair.Create(key, expiry)))
                    {
                        Interlocked.Decrement(ref _count);
                    }
                }

                Interlocked.Exchange(ref _lastSweep, now);
            }
            finally
            {
                _sweep.Exit();
            }
        }

        return Interlocked.Read(ref _count) < _capacity;
    }
}
