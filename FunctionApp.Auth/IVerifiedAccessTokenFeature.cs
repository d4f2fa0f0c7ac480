using System.Security.Claims;

namespace FunctionApp.Auth;

/// <summary>The caller of one invocation, as its verified access token names them: set before a protected function runs.</summary>
public interface IVerifiedAccessTokenFeature
{
    /// <summary>The verified token.</summary>
    VerifiedAccessToken Token { get; }

    /// <summary>The caller as a principal, the token's claims under their own names (see <see cref="VerifiedAccessToken.ToClaimsPrincipal"/>); one per invocation.</summary>
    ClaimsPrincipal User { get; }
}
