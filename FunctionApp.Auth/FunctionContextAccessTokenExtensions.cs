using System.Security.Claims;
using Microsoft.Azure.Functions.Worker;

namespace FunctionApp.Auth;

/// <summary>Hands the token verified by <see cref="AccessTokenMiddleware"/> to the function it protects.</summary>
public static class FunctionContextAccessTokenExtensions
{
    /// <summary>The verified token; throws if the function does not require one.</summary>
    public static VerifiedAccessToken GetVerifiedAccessToken(this FunctionContext context) => Feature(context).Token;

    /// <summary>The verified caller as a principal (<c>sub</c> is its name, <c>permissions</c> its roles); throws if the function does not require a token.</summary>
    public static ClaimsPrincipal GetVerifiedUser(this FunctionContext context) => Feature(context).User;

    private static IVerifiedAccessTokenFeature Feature(FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<IVerifiedAccessTokenFeature>()
            ?? throw new InvalidOperationException(
                $"Function '{context.FunctionDefinition.Name}' has no verified access token: mark it [RequireAccessToken].");
    }
}
