using System.Buffers.Text;
using System.Security.Cryptography;

namespace FunctionApp.TestHost.Issuer;

/// <summary>The nonces the token endpoint hands out in DPoP-Nonce (RFC 9449 8), each good for five minutes.</summary>
internal sealed class DPoPNonces
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _issued = [];

    public string Issue()
    {
        var nonce = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var now = DateTimeOffset.UtcNow;
        lock (_gate)
        {
            // Expired nonces are forgotten as new ones are handed out, so the table holds five minutes' worth at most.
            foreach (var (old, issued) in _issued)
            {
                if (now - issued > Lifetime)
                {
                    _issued.Remove(old);
                }
            }

            _issued[nonce] = now;
        }

        return nonce;
    }

    /// <summary>Whether <paramref name="nonce"/> was handed out by <see cref="Issue"/> in the last five minutes.</summary>
    public bool IsCurrent(string nonce)
    {
        lock (_gate)
        {
            return _issued.TryGetValue(nonce, out var issued) && DateTimeOffset.UtcNow - issued <= Lifetime;
        }
    }
}
