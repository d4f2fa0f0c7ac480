using System.Collections.Concurrent;

namespace FunctionApp.Auth;

/// <summary>
/// Tokens already verified with one key set, found by their exact text, so a client's next request skips the
/// signature check. Bounded by bytes: entries live in two generations, each allowed half the budget; when the newer
/// one is full the older is dropped whole, and an entry found in the older one moves to the newer. Clients that keep
/// coming back stay; lookups take no lock.
/// </summary>
internal sealed class VerifiedTokenMemory
{
    /// <summary>What one entry costs beyond its token text and payload: the objects and the dictionary's share.</summary>
    public const int EntryOverheadBytes = 200;

    private readonly long _generationBudget;
    private readonly Lock _rotation = new();
    private Generation _newer = new();
    private Generation _older = new();

    public VerifiedTokenMemory(long budgetBytes)
    {
        _generationBudget = budgetBytes / 2;
    }

    /// <summary>The bytes the entries of both generations take, as estimated by <see cref="CostOf"/>.</summary>
    public long Bytes => Volatile.Read(ref _newer).Bytes + Volatile.Read(ref _older).Bytes;

    public int Count => Volatile.Read(ref _newer).Count + Volatile.Read(ref _older).Count;

    /// <summary>The estimated bytes one entry takes: its text as UTF-16, its payload, and <see cref="EntryOverheadBytes"/>.</summary>
    public static long CostOf(string token, VerifiedAccessToken verified) =>
        (2L * token.Length) + verified.PayloadJson.Length + EntryOverheadBytes;

    /// <summary>A token verified earlier, found by its exact text, while it has not expired.</summary>
    public bool TryGet(ReadOnlySpan<char> token, DateTime expiredBefore, out VerifiedAccessToken verified)
    {
        var newer = Volatile.Read(ref _newer);
        if (newer.TryGet(token, out verified))
        {
            return verified.Expires >= expiredBefore || newer.Forget(token);
        }

        var older = Volatile.Read(ref _older);
        if (!older.TryGet(token, out verified) || verified.Expires < expiredBefore)
        {
            return false;
        }

        // Still in use: keep it through the next rotation.
        Remember(token.ToString(), verified);
        return true;
    }

    /// <summary>Keeps a fully verified token, unless it alone would take more than half the budget.</summary>
    public void Remember(string token, VerifiedAccessToken verified)
    {
        var cost = CostOf(token, verified);
        if (cost > _generationBudget)
        {
            return;
        }

        var newer = Volatile.Read(ref _newer);
        if (newer.Bytes + cost > _generationBudget)
        {
            // Callers racing here may each add one entry past the half: the overshoot is one entry per concurrent caller.
            newer = Rotate(newer);
        }

        newer.TryAdd(token, verified, cost);
    }

    private Generation Rotate(Generation full)
    {
        lock (_rotation)
        {
            if (ReferenceEquals(_newer, full))
            {
                Volatile.Write(ref _older, full);
                Volatile.Write(ref _newer, new Generation());
            }

            return _newer;
        }
    }

    private sealed class Generation
    {
        private readonly ConcurrentDictionary<string, VerifiedAccessToken> _entries = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, VerifiedAccessToken>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
        private long _bytes;

        public Generation()
        {
            _bySpan = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public long Bytes => Volatile.Read(ref _bytes);

        public int Count => _entries.Count;

        public bool TryGet(ReadOnlySpan<char> token, out VerifiedAccessToken verified) => _bySpan.TryGetValue(token, out verified!);

        public void TryAdd(string token, VerifiedAccessToken verified, long cost)
        {
            if (_entries.TryAdd(token, verified))
            {
                Interlocked.Add(ref _bytes, cost);
            }
        }

        /// <summary>Drops an expired entry; always false, for the caller's answer.</summary>
        public bool Forget(ReadOnlySpan<char> token)
        {
            if (_bySpan.TryRemove(token, out var actualKey, out var removed))
            {
                Interlocked.Add(ref _bytes, -CostOf(actualKey, removed));
            }

            return false;
        }
    }
}
