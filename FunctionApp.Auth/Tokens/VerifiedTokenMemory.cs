using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Caching.Memory;

namespace FunctionApp.Auth;

/// <summary>
/// Tokens already verified with one key set, found by their exact text, so a client's next request skips the
/// signature and claim checks (<see cref="Auth0TokenValidator"/> says what a remembered token still goes through).
/// A <see cref="MemoryCache"/> bounded by bytes: each entry's size is its estimated cost, and when a new entry does
/// not fit, the least recently used tenth of the entries is dropped to make room.
/// </summary>
[SuppressMessage("Reliability", "CA1001", Justification =
    "Requests may still read the memory of a key set that a refresh replaced, so nothing can tell when it is no longer used; the cache holds no timer or native resource, and goes with its key set.")]
internal sealed class VerifiedTokenMemory
{
    /// <summary>
    /// What one entry costs beyond its token's characters and its payload's bytes: the cache's entry and its node,
    /// the <see cref="VerifiedAccessToken"/>, the two arrays' and the string's headers, and the permissions set a
    /// protected function's first check adds. Measured by FunctionApp.Benchmarks (memory).
    /// </summary>
    public const int EntryOverheadBytes = 600;

    // The share of the entries dropped when a new one does not fit (at least one): a tenth keeps most returning
    // clients while making room for many newcomers at once.
    private const double CompactionShare = 0.1;

    private readonly long _budgetBytes;
    private readonly MemoryCache? _cache;

    /// <param name="budgetBytes">The most the entries may take, as <see cref="CostOf"/> estimates them; 0 remembers nothing.</param>
    /// <param name="time">The clock that orders entries by their last use.</param>
    public VerifiedTokenMemory(long budgetBytes, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _budgetBytes = budgetBytes;
        if (budgetBytes > 0)
        {
            _cache = new MemoryCache(new MemoryCacheOptions
            {
                SizeLimit = budgetBytes,
                CompactionPercentage = CompactionShare,
                TrackStatistics = true,
                Clock = new CacheClock(time),
            });
        }
    }

    /// <summary>The bytes the entries take, as estimated by <see cref="CostOf"/>.</summary>
    public long Bytes => _cache?.GetCurrentStatistics()?.CurrentEstimatedSize ?? 0;

    public int Count => _cache?.Count ?? 0;

    /// <summary>The estimated bytes one entry takes: two per token character, its payload, its key thumbprint if bound, and <see cref="EntryOverheadBytes"/>.</summary>
    public static long CostOf(string token, VerifiedAccessToken verified)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(verified);
        // A bound token's thumbprint is a string of its own: two bytes a character and a string's 24-byte header.
        return (2 * token.Length) + verified.PayloadJson.Length + EntryOverheadBytes
            + (verified.KeyThumbprint is { } jkt ? 24 + (2 * jkt.Length) : 0);
    }

    /// <summary>A token verified earlier, found by its exact text, while it expires after <paramref name="expiredBefore"/>.</summary>
    public bool TryGet(string token, DateTime expiredBefore, out VerifiedAccessToken verified)
    {
        verified = null!;
        if (_cache is null || !_cache.TryGetValue(token, out VerifiedAccessToken? found) || found is null)
        {
            return false;
        }

        if (found.Expires <= expiredBefore)
        {
            _cache.Remove(token);
            return false;
        }

        verified = found;
        return true;
    }

    /// <summary>Keeps a fully verified token, making room for it by dropping the least recently used ones.</summary>
    public void Remember(string token, VerifiedAccessToken verified)
    {
        // An entry larger than the whole budget could never fit.
        var cost = CostOf(token, verified);
        if (_cache is null || cost > _budgetBytes || Add(_cache, token, verified, cost))
        {
            return;
        }

        // The cache refuses an entry that does not fit and compacts in the background; compacting here makes the
        // room at once, so the token is remembered now and what is dropped does not depend on a thread's timing.
        _cache.Compact(Math.Max(CompactionShare, 1.5 / Math.Max(1, _cache.Count)));
        Add(_cache, token, verified, cost);
    }

    private static bool Add(MemoryCache cache, string token, VerifiedAccessToken verified, long cost)
    {
        cache.Set(token, verified, new MemoryCacheEntryOptions { Size = cost });
        return cache.TryGetValue(token, out _);
    }
}
