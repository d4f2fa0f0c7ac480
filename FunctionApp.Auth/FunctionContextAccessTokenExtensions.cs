using Microsoft.Azure.Functions.Worker;

namespace FunctionApp.Auth;

/// <summary>Hands the token verified by <see cref="AccessTokenMiddleware"/> to the function it protects.</summary>
public static class FunctionContextAccessTokenExtensions
{
    private static readonly object ItemKey = typeof(VerifiedAccessToken);

    /// <summary>The verified token; throws if the function is not marked <see cref="RequireAccessTokenAttribute"/>.</summary>
    public static VerifiedAccessToken GetVerifiedAccessToken(this FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(ItemKey, out var token) && token is VerifiedAccessToken verified
            ? verified
            : throw new InvalidOperationException(
                $"Function '{context.FunctionDefinition.Name}' has no verified access token: mark it [RequireAccessToken].");
    }

    internal static void SetVerifiedAccessToken(this FunctionContext context, VerifiedAccessToken token) =>
        context.Items[ItemKey] = token;
}
