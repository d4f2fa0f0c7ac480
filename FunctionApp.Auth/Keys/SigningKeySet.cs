using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace FunctionApp.Auth;

/// <summary>
/// The signing keys of one fetched discovery document, the <see cref="TokenValidationParameters"/> that verify with
/// them, and the memory of the tokens they verified. A refresh that changes the keys makes a new set, so a key that
/// leaves the JWKS takes its tokens with it.
/// </summary>
internal sealed class SigningKeySet
{
    /// <summary>RFC 7518 3.3: an RSA key for RS* and PS* is 2048 bits or larger; IdentityModel's own floor for verifying is lower.</summary>
    public const int MinimumRsaKeyBits = 2048;

    // A kid may name an RSA key and an EC key at once; the token's alg decides which one verifies it.
    private readonly FrozenDictionary<(string KeyId, string KeyType), SecurityKey> _byIdAndType;

    // The alg each published key states it is for, if any (RFC 7517 4.4), by the same kid and type.
    private readonly FrozenDictionary<(string KeyId, string KeyType), string> _statedAlgorithms;

    /// <param name="configuration">What was fetched.</param>
    /// <param name="domainParameters">The domain's checks, which these keys complete.</param>
    /// <param name="previous">The set these keys replace: if they are the same keys, what it verified still holds.</param>
    /// <param name="memoryBudgetBytes">The budget of a new memory of verified tokens.</param>
    /// <param name="time">The clock of a new memory of verified tokens.</param>
    public SigningKeySet(
        OpenIdConnectConfiguration configuration, TokenValidationParameters domainParameters, SigningKeySet? previous, long memoryBudgetBytes, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(domainParameters);
        Configuration = configuration;
        // IdentityModel leaves out keys whose use is not sig when it reads the JWKS; the first key of each kid and type wins.
        _byIdAndType = configuration.SigningKeys
            .Where(key => !string.IsNullOrEmpty(key.KeyId) && KeyTypeOf(key) is not null)
            .GroupBy(key => (key.KeyId, KeyTypeOf(key)!))
            .ToFrozenDictionary(group => group.Key, group => group.First());
        _statedAlgorithms = (configuration.JsonWebKeySet?.Keys ?? [])
            .Where(key => !string.IsNullOrEmpty(key.Kid) && !string.IsNullOrEmpty(key.Alg) && (string.IsNullOrEmpty(key.Use) || key.Use == "sig"))
            .GroupBy(key => (key.Kid, key.Kty))
            .ToFrozenDictionary(group => group.Key, group => group.First().Alg);
        Fingerprint = string.Join('\n', (configuration.JsonWebKeySet?.Keys ?? [])
            .Select(k => string.Join(' ', k.Kid, k.Kty, k.Use, k.Alg, k.N, k.E, k.Crv, k.X, k.Y, string.Join(',', k.X5c)))
            .Order(StringComparer.Ordinal));
        Memory = previous?.Fingerprint == Fingerprint ? previous.Memory : new VerifiedTokenMemory(memoryBudgetBytes, time);
        Parameters = domainParameters.Clone();
        Parameters.IssuerSigningKeyResolver = (_, token, keyId, _) => KeysFor(keyId, ((JsonWebToken)token).Alg);
    }

    public OpenIdConnectConfiguration Configuration { get; }

    /// <summary>The domain's checks with these keys: the handler is offered only the key <see cref="Find"/> allows.</summary>
    public TokenValidationParameters Parameters { get; }

    /// <summary>The tokens verified with these keys.</summary>
    public VerifiedTokenMemory Memory { get; }

    /// <summary>The published keys as text, to tell whether a refresh changed anything.</summary>
    public string Fingerprint { get; }

    /// <summary>
    /// The published key that <paramref name="keyId"/> names and that <paramref name="algorithm"/> may use: of its type,
    /// on its curve for ECDSA (RFC 7518 3.4: ES256 is P-256, ES384 P-384, ES512 P-521), of at least
    /// <see cref="MinimumRsaKeyBits"/> for RSA, and stating no other alg.
    /// </summary>
    public SecurityKey? Find(string? keyId, string algorithm)
    {
        if (keyId is null || KeyTypeFor(algorithm) is not { } type || !_byIdAndType.TryGetValue((keyId, type), out var key)
            || (_statedAlgorithms.TryGetValue((keyId, type), out var stated) && stated != algorithm))
        {
            return null;
        }

        return type == JsonWebAlgorithmsKeyTypes.EllipticCurve ? (CurveOf(key) == CurveFor(algorithm) ? key : null)
            : key.KeySize >= MinimumRsaKeyBits ? key : null;
    }

    /// <summary>The curve an ECDSA algorithm signs on (RFC 7518 3.4), as a JWK names it.</summary>
    public static string CurveFor(string algorithm) => algorithm switch
    {
        "ES256" => JsonWebKeyECTypes.P256,
        "ES384" => JsonWebKeyECTypes.P384,
        _ => JsonWebKeyECTypes.P521,
    };

    /// <summary>RSA for RS* and PS*, EC for ES*, null for anything else.</summary>
    public static string? KeyTypeFor(string algorithm) => algorithm switch
    {
        ['R' or 'P', 'S', ..] => JsonWebAlgorithmsKeyTypes.RSA,
        ['E', 'S', ..] => JsonWebAlgorithmsKeyTypes.EllipticCurve,
        _ => null,
    };

    private SecurityKey[] KeysFor(string? keyId, string algorithm) => Find(keyId, algorithm) is { } key ? [key] : [];

    private static string? CurveOf(SecurityKey key) => key switch
    {
        JsonWebKey jwk => jwk.Crv,
        ECDsaSecurityKey ec => CurveOfSize(ec.ECDsa.KeySize),
        X509SecurityKey { PublicKey: ECDsa ec } => CurveOfSize(ec.KeySize),
        _ => null,
    };

    private static string? CurveOfSize(int bits) => bits switch
    {
        256 => JsonWebKeyECTypes.P256,
        384 => JsonWebKeyECTypes.P384,
        521 => JsonWebKeyECTypes.P521,
        _ => null,
    };

    private static string? KeyTypeOf(SecurityKey key) => key switch
    {
        RsaSecurityKey => JsonWebAlgorithmsKeyTypes.RSA,
        ECDsaSecurityKey => JsonWebAlgorithmsKeyTypes.EllipticCurve,
        X509SecurityKey { PublicKey: RSA } => JsonWebAlgorithmsKeyTypes.RSA,
        X509SecurityKey { PublicKey: ECDsa } => JsonWebAlgorithmsKeyTypes.EllipticCurve,
        JsonWebKey { Kty: var kty } when kty is JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve => kty,
        _ => null,
    };
}
