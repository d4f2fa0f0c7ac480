using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace FunctionApp.Auth;

/// <summary>
/// One fetched set of signing keys, the validation parameters that use them, and the tokens already verified with
/// them. A refresh makes a new set, so a key that leaves the JWKS takes its verified tokens with it.
/// </summary>
public sealed class SigningKeys
{
    private readonly FrozenSet<string> _keyIds;
    private readonly int _capacity;
    private readonly ConcurrentDictionary<string, VerifiedAccessToken> _verified = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, VerifiedAccessToken>.AlternateLookup<ReadOnlySpan<char>> _verifiedBySpan;
    private int _count;

    public SigningKeys(OpenIdConnectConfiguration configuration, Auth0Settings settings)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(settings);
        Configuration = configuration;
        _keyIds = configuration.SigningKeys
            .Select(k => k.KeyId)
            .Where(id => !string.IsNullOrEmpty(id))
            .ToFrozenSet(StringComparer.Ordinal);
        Parameters = Auth0TokenValidationParameters.Create(settings, configuration.SigningKeys);
        _capacity = settings.VerifiedTokenCacheSize;
        _verifiedBySpan = _verified.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public OpenIdConnectConfiguration Configuration { get; }

    public TokenValidationParameters Parameters { get; }

    public bool Contains(string keyId) => _keyIds.Contains(keyId);

    /// <summary>A token verified earlier with these keys, found by its exact text, while it has not expired.</summary>
    public bool TryGetVerified(ReadOnlySpan<char> token, DateTime expiredBefore, out VerifiedAccessToken verified)
    {
        if (!_verifiedBySpan.TryGetValue(token, out verified!))
        {
            return false;
        }

        if (verified.Token.ValidTo >= expiredBefore)
        {
            return true;
        }

        _verifiedBySpan.TryRemove(token, out _);
        return false;
    }

    /// <summary>Keeps a fully verified token; the set starts over when full, so memory stays bounded.</summary>
    public void Remember(string token, VerifiedAccessToken verified)
    {
        if (_capacity == 0)
        {
            return;
        }

        if (Interlocked.Increment(ref _count) > _capacity)
        {
            _verified.Clear();
            Interlocked.Exchange(ref _count, 1);
        }

        _verified[token] = verified;
    }
}
