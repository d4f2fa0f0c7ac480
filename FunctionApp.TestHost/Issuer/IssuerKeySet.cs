namespace FunctionApp.TestHost.Issuer;

/// <summary>
/// The keys the local issuer publishes: the one it signs with, earlier ones still published after a rotation, and
/// any extra JWKs a test adds.
/// </summary>
public sealed class IssuerKeySet : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<IssuerKey> _published = [];
    private readonly List<Dictionary<string, string>> _extra = [];
    private IssuerKey _signingKey;
    private int _count;

    public IssuerKeySet()
    {
        _signingKey = NewKey();
        _published.Add(_signingKey);
    }

    public IssuerKey SigningKey
    {
        get
        {
            lock (_gate)
            {
                return _signingKey;
            }
        }
    }

    /// <summary>Publishes a new key and signs with it from now on; the old key stays published unless <paramref name="retireOld"/>.</summary>
    public IssuerKey Rotate(bool retireOld)
    {
        lock (_gate)
        {
            var next = NewKey();
            if (retireOld)
            {
                _published.Remove(_signingKey);
            }

            _published.Add(next);
            _signingKey = next;
            return next;
        }
    }

    /// <summary>Publishes a JWK as given, before the issuer's own keys: a key of another type, or one not for signatures.</summary>
    public void AlsoPublish(Dictionary<string, string> jwk)
    {
        lock (_gate)
        {
            _extra.Add(jwk);
        }
    }

    /// <summary>The JWKS's keys as published now.</summary>
    public Dictionary<string, string>[] ToJwks()
    {
        lock (_gate)
        {
            return [.. _extra, .. _published.Select(k => k.ToJwk())];
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var key in _published)
            {
                key.Dispose();
            }
        }
    }

    private IssuerKey NewKey() => new($"local-key-{Interlocked.Increment(ref _count)}");
}
