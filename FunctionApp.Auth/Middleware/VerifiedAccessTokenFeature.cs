using System.Security.Claims;

namespace FunctionApp.Auth;

/// <summary>The invocation feature the middleware sets; the principal is built on first use, as most functions never ask for it.</summary>
internal sealed class VerifiedAccessTokenFeature(VerifiedAccessToken token) : IVerifiedAccessTokenFeature
{
    private ClaimsPrincipal? _user;

    public VerifiedAccessToken Token => token;

    public ClaimsPrincipal User => _user ??= token.ToClaimsPrincipal();
}
