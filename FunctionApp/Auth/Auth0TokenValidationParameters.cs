using Microsoft.IdentityModel.Tokens;

namespace FunctionApp.Auth;

/// <summary>Every token validation rule in one place.</summary>
public static class Auth0TokenValidationParameters
{
    public static TokenValidationParameters Create(Auth0Settings settings, IEnumerable<SecurityKey> signingKeys)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidateIssuer = true,
            ValidAudience = settings.Audience,
            ValidateAudience = true,
            RequireAudience = true,
            IgnoreTrailingSlashWhenValidatingAudience = false,
            ValidAlgorithms = settings.Algorithms,
            IssuerSigningKeys = signingKeys,
            RequireSignedTokens = true,
            // The kid must name a published key; trying every key would hide a rotation that needs a refresh.
            TryAllIssuerSigningKeys = false,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = settings.ClockSkew,
            SaveSigninToken = false,
        };
    }
}
