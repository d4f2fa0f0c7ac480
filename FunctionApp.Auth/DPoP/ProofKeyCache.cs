using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace FunctionApp.Auth;

/// <summary>
/// The .NET key objects of the DPoP keys proofs were recently verified with, by thumbprint: importing a key costs more
/// than verifying with it (a P-256 import checks the point is on the curve), and a client signs every proof with the
/// same key. Each thumbprint keeps one idle object that a request takes while it verifies, so no object is used by
/// two threads at once; a request that finds it taken imports its own. Only keys of tokens that verified get here.
/// </summary>
internal sealed class ProofKeyCache
{
    /// <summary>Past this many keys the cache starts over; the objects dropped are left to the garbage collector.</summary>
    public const int Capacity = 4096;

    private readonly ConcurrentDictionary<string, StrongBox<AsymmetricAlgorithm?>> _idle = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>Verifies with <paramref name="key"/>; false too when its point is not on its curve.</summary>
    public bool Verify(ProofKey key, string algorithm, ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slot = SlotFor(key.Thumbprint);
        AsymmetricAlgorithm instance;
        try
        {
            instance = Interlocked.Exchange(ref slot.Value, null) ?? key.Import();
        }
        catch (CryptographicException)
        {
            return false;
        }

        try
        {
            return ProofKey.Verify(instance, algorithm, input, signature);
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            if (Interlocked.CompareExchange(ref slot.Value, instance, null) is not null)
            {
                instance.Dispose();
            }
        }
    }

    private StrongBox<AsymmetricAlgorithm?> SlotFor(string thumbprint)
    {
        if (_idle.TryGetValue(thumbprint, out var slot))
        {
            return slot;
        }

        if (Interlocked.Increment(ref _count) > Capacity)
        {
            _idle.Clear();
            Volatile.Write(ref _count, 1);
        }

        return _idle.GetOrAdd(thumbprint, static _ => new StrongBox<AsymmetricAlgorithm?>());
    }
}
