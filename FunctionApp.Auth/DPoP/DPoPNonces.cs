using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace FunctionApp.Auth;

/// <summary>
/// DPoP server nonces (RFC 9449 8, 9) that every instance of the app can make and check with no shared storage: a
/// nonce is the second it was made and a MAC of that second under the secret all instances share
/// (<c>Auth0__DPoPNonceSecret</c>), accepted until it is <c>Auth0__DPoPNonceLifetimeSeconds</c> old.
/// </summary>
internal sealed class DPoPNonces
{
    private const int TimeLength = 8;
    private const int MacLength = 16;
    private const int NonceLength = TimeLength + MacLength;

    // Binds the MAC to its purpose, so no other use of the same secret can produce a nonce.
    private static readonly byte[] Purpose = "Auth0.DPoP.Nonce.v1"u8.ToArray();

    private readonly byte[]? _key;
    private readonly TimeSpan _lifetime;
    private readonly TimeSpan _skew;
    private readonly TimeProvider _time;
    // Replaced whole, so a reader never sees one nonce's time with another's text.
    private MadeNonce? _current;

    public DPoPNonces(IOptions<Auth0Options> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _key = options.Value.DPoPNonceKey;
        _lifetime = options.Value.DPoPNonceLifetime;
        _skew = options.Value.ClockSkew;
        _time = time;
    }

    public bool Enabled => _key is not null;

    /// <summary>
    /// The nonce to hand out now: the same one for a quarter of the lifetime, so every nonce handed out is accepted for at
    /// least three quarters of it.
    /// </summary>
    public string Current()
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var current = Volatile.Read(ref _current);
        if (current is not null && now - current.Made < Math.Max(1, (long)_lifetime.TotalSeconds / 4))
        {
            return current.Text;
        }

        Span<byte> nonce = stackalloc byte[NonceLength];
        BinaryPrimitives.WriteInt64BigEndian(nonce, now);
        Mac(nonce[..TimeLength], nonce[TimeLength..]);
        var made = new MadeNonce(now, Base64Url.EncodeToString(nonce));
        Volatile.Write(ref _current, made);
        return made.Text;
    }

    /// <summary>True when <paramref name="nonce"/> was made with the shared secret and, at <paramref name="at"/>, is not older than the lifetime.</summary>
    public bool IsValid(string nonce, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        Span<byte> bytes = stackalloc byte[NonceLength];
        Span<byte> expected = stackalloc byte[MacLength];
        if (_key is null || nonce.Length != Base64Url.GetEncodedLength(NonceLength) || !Base64Url.IsValid(nonce)
            || !Base64Url.TryDecodeFromChars(nonce, bytes, out var written) || written != NonceLength)
        {
            return false;
        }

        Mac(bytes[..TimeLength], expected);
        var made = BinaryPrimitives.ReadInt64BigEndian(bytes);
        var now = at.ToUnixTimeSeconds();
        return CryptographicOperations.FixedTimeEquals(expected, bytes[TimeLength..])
            && made >= now - (long)_lifetime.TotalSeconds && made <= now + (long)_skew.TotalSeconds;
    }

    private void Mac(ReadOnlySpan<byte> time, Span<byte> mac)
    {
        Span<byte> input = stackalloc byte[Purpose.Length + TimeLength];
        Purpose.CopyTo(input);
        time.CopyTo(input[Purpose.Length..]);
        Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, input, full);
        full[..MacLength].CopyTo(mac);
    }

    private sealed record MadeNonce(long Made, string Text);
}
