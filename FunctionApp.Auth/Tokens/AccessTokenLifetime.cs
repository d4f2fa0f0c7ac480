using Microsoft.IdentityModel.Tokens;

namespace FunctionApp.Auth;

/// <summary>
/// The lifetime rule, as IdentityModel's <see cref="TokenValidationParameters.LifetimeValidator"/>: an exp is
/// required and the token has expired at exp (RFC 7519 4.1.4); it is not yet valid before nbf, and, as the sample's
/// PyJWT rules, before iat; the clock skew applies to all three. The dates are read as the exact numbers the token
/// carries, fractions included, where IdentityModel would round them to whole seconds.
/// </summary>
internal sealed class AccessTokenLifetime(TimeProvider time, TimeSpan clockSkew)
{
    /// <summary>Throws IdentityModel's exception for the rule the token breaks, which the handler reports as its result.</summary>
    public bool Validate(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var dates = (StrictAccessToken)token;
        var now = time.GetUtcNow().UtcDateTime;
        if (dates.Expires is not { } exp)
        {
            throw new SecurityTokenNoExpirationException("The token has no exp.");
        }

        if (exp <= now - clockSkew)
        {
            throw new SecurityTokenExpiredException("The token has expired.");
        }

        if (dates.NotBefore > now + clockSkew || dates.IssuedAt > now + clockSkew)
        {
            throw new SecurityTokenNotYetValidException("The token is not yet valid.");
        }

        return true;
    }
}
