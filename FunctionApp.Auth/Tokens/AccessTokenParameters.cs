using Microsoft.IdentityModel.Tokens;

namespace FunctionApp.Auth;

/// <summary>The settings' checks of an access token as IdentityModel's <see cref="TokenValidationParameters"/>.</summary>
internal static class AccessTokenParameters
{
    /// <summary>
    /// The checks of the tokens of <paramref name="domain"/>, but its keys: lifetime, audience, issuer, then the
    /// signature with the allowed algorithms. Claims come before the signature, so a token refused for its claims
    /// costs no RSA verify and no key fetch.
    /// </summary>
    public static TokenValidationParameters For(Auth0Domain domain, AccessTokenPolicy policy, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var parameters = Common(policy, time);
        parameters.ValidIssuer = domain.Issuer;
        parameters.ValidAudiences = policy.Audiences;
        return parameters;
    }

    /// <summary>
    /// The checks of a token naming an issuer nobody configured: its lifetime, then its issuer, which fails. It never
    /// reaches the signature, so it needs no keys.
    /// </summary>
    public static TokenValidationParameters ForUnknownIssuer(AccessTokenPolicy policy, TimeProvider time)
    {
        var parameters = Common(policy, time);
        parameters.ValidIssuers = policy.Domains.Select(domain => domain.Issuer).ToArray();
        parameters.ValidateAudience = false;
        parameters.IssuerSigningKeyResolver = (_, _, _, _) => [];
        return parameters;
    }

    private static TokenValidationParameters Common(AccessTokenPolicy policy, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new TokenValidationParameters
        {
            ValidAlgorithms = policy.Algorithms,
            LifetimeValidator = new AccessTokenLifetime(time, policy.ClockSkew).Validate,
            // The audience is compared exactly, as the settings name it: IdentityModel would forgive a trailing slash.
            IgnoreTrailingSlashWhenValidatingAudience = false,
            IgnoreCaseWhenValidatingAudience = false,
            ValidateSignatureLast = true,
            // Only the key the token's kid and alg select (SigningKeySet.Find), never every key in turn.
            TryAllIssuerSigningKeys = false,
            RequireSignedTokens = true,
        };
    }
}
