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
    public static TokenValidationParameters For(Auth0Domain domain, Auth0Options options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var parameters = Common(options, time);
        parameters.ValidIssuer = domain.Issuer;
        parameters.ValidAudiences = options.Audiences;
        return parameters;
    }

    /// <summary>
    /// The checks of a token naming an issuer nobody configured: its lifetime, then its issuer, which fails. It never
    /// reaches the signature, so it needs no keys.
    /// </summary>
    public static TokenValidationParameters ForUnknownIssuer(Auth0Options options, TimeProvider time)
    {
        var parameters = Common(options, time);
        parameters.ValidIssuers = options.TenantDomains.Select(domain => domain.Issuer).ToArray();
        parameters.ValidateAudience = false;
        parameters.IssuerSigningKeyResolver = (_, _, _, _) => [];
        return parameters;
    }

    private static TokenValidationParameters Common(Auth0Options options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new TokenValidationParameters
        {
            ValidAlgorithms = options.Algorithms,
            LifetimeValidator = new AccessTokenLifetime(time, options.ClockSkew).Validate,
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
