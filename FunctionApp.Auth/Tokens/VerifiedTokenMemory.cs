using System.Collections.Concurrent;
using System.Buffers;
using System.Text;

namespace FunctionApp.Auth;

/// <summary>
/// Tokens already verified with one key set, found by their exact text, so a client's next request skips the
/// signature check. Bounded by bytes: entries live in two generations, each allowed half the budget; when the newer
/// one is full the older is dropped whole, and an entry found in the older one moves to the newer. Clients that keep
/// coming back stay; lookups take no lock. Tokens are kept as their ASCII bytes (a compact JWS has no other
/// characters), half the size of the text, and found from the header's characters without a copy.
/// </summary>
internal sealed class VerifiedTokenMemory
{
    /// <summary>
    /// What one entry costs beyond its token's characters and its payload's bytes: the two arrays' headers, the
    /// <see cref="VerifiedAccessToken"/>, the dictionary's node and its share of the buckets, and the permissions set
    /// a protected function's first check adds. Measured by FunctionApp.Benchmarks (memory).
    /// </summary>
    public const int EntryOverheadBytes = 400;

    private readonly long _generationBudget;
    private readonly Lock _rotation = new();
    private Generation _newer = new();
    private Generation _older = new();

    public VerifiedTokenMemory(long budgetBytes)
    {
        _generationBudget = budgetBytes / 2;
    }

    /// <summary>The bytes the entries of both generations take, as estimated by <see cref="CostOf(ReadOnlySpan{char}, VerifiedAccessToken)"/>.</summary>
    public long Bytes => Volatile.Read(ref _newer).Bytes + Volatile.Read(ref _older).Bytes;

    public int Count => Volatile.Read(ref _newer).Count + Volatile.Read(ref _older).Count;

    /// <summary>The estimated bytes one entry takes: one per token character, its payload, its key thumbprint if bound, and <see cref="EntryOverheadBytes"/>.</summary>
    public static long CostOf(ReadOnlySpan<char> token, VerifiedAccessToken verified)
    {
        ArgumentNullException.ThrowIfNull(verified);
        return CostOf(token.Length, verified);
    }

    /// <summary>A token verified earlier, found by its exact text, while it expires after <paramref name="expiredBefore"/>.</summary>
    public bool TryGet(ReadOnlySpan<char> token, DateTime expiredBefore, out VerifiedAccessToken verified)
    {
        var newer = Volatile.Read(ref _newer);
        if (newer.TryGet(token, out verified))
        {
            return verified.Expires > expiredBefore || newer.Forget(token);
        }

        // Still in use: moved to the newer generation, so that it outlives the next rotation and is counted once. An
        // expired one is simply dropped.
        var older = Volatile.Read(ref _older);
        if (!older.TryTake(token, out var key, out verified) || verified.Expires <= expiredBefore)
        {
            return false;
        }

        Add(key, verified);
        return true;
    }

    /// <summary>Keeps a fully verified token, unless it alone would take more than half the budget.</summary>
    public void Remember(ReadOnlySpan<char> token, VerifiedAccessToken verified)
    {
        if (CostOf(token, verified) <= _generationBudget && Ascii.IsValid(token))
        {
            Add(ToAscii(token), verified);
        }
    }

    private void Add(byte[] token, VerifiedAccessToken verified)
    {
        var cost = CostOf(token.Length, verified);
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

    // Only for text already known to be ASCII.
    private static byte[] ToAscii(ReadOnlySpan<char> token)
    {
        var bytes = new byte[token.Length];
        Ascii.FromUtf16(token, bytes, out _);
        return bytes;
    }

    // A bound token's thumbprint is a string of its own: two bytes a character and a string's 24-byte header.
    private static long CostOf(int length, VerifiedAccessToken verified) =>
        length + verified.PayloadJson.Length + EntryOverheadBytes + (verified.KeyThumbprint is { } jkt ? 24 + (2 * jkt.Length) : 0);

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
        private readonly ConcurrentDictionary<byte[], VerifiedAccessToken> _entries = new(AsciiKeyComparer.Instance);
        private readonly ConcurrentDictionary<byte[], VerifiedAccessToken>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
        private long _bytes;

        public Generation()
        {
            _bySpan = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public long Bytes => Volatile.Read(ref _bytes);

        public int Count => _entries.Count;

        public bool TryGet(ReadOnlySpan<char> token, out VerifiedAccessToken verified) => _bySpan.TryGetValue(token, out verified!);

        public bool TryTake(ReadOnlySpan<char> token, out byte[] key, out VerifiedAccessToken verified)
        {
            if (!_bySpan.TryRemove(token, out key!, out verified!))
            {
                return false;
            }

            Interlocked.Add(ref _bytes, -CostOf(key.Length, verified));
            return true;
        }

        public void TryAdd(byte[] token, VerifiedAccessToken verified, long cost)
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
                Interlocked.Add(ref _bytes, -CostOf(actualKey.Length, removed));
            }

            return false;
        }
    }

    /// <summary>Token bytes compared and hashed as the characters they encode, so a header's characters find them.</summary>
    private sealed class AsciiKeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<char>, byte[]>
    {
        // Hashed in chunks whose length is a multiple of four, so HashCode.AddBytes sees the same sequence either way.
        private const int Chunk = 256;

        public static AsciiKeyComparer Instance { get; } = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = new HashCode();
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }

        public bool Equals(ReadOnlySpan<char> alternate, byte[] other) => Ascii.Equals(other, alternate);

        public int GetHashCode(ReadOnlySpan<char> alternate)
        {
            var hash = new HashCode();
            Span<byte> chunk = stackalloc byte[Chunk];
            while (!alternate.IsEmpty)
            {
                var length = Math.Min(Chunk, alternate.Length);
                // Text that is not ASCII can equal no key; any hash will do for it.
                if (Ascii.FromUtf16(alternate[..length], chunk, out _) != OperationStatus.Done)
                {
                    return 0;
                }

                hash.AddBytes(chunk[..length]);
                alternate = alternate[length..];
            }

            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<char> alternate) => ToAscii(alternate);
    }
}
