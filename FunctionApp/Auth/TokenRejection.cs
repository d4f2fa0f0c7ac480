namespace FunctionApp.Auth;

/// <summary>Why a request to a protected function was refused: its kind and a short, stable reason.</summary>
public sealed class TokenRejection
{
    private TokenRejection(RejectionKind kind, string reason)
    {
        Kind = kind;
        Reason = reason;
    }

    public RejectionKind Kind { get; }

    /// <summary>A short, stable sentence; never token content.</summary>
    public string Reason { get; }

    public static TokenRejection NotAuthenticated { get; } = new(RejectionKind.MissingCredentials, "Not authenticated");

    public static TokenRejection InvalidCredentials { get; } = new(RejectionKind.WrongScheme, "Invalid authentication credentials");

    public static TokenRejection Expired { get; } = InvalidToken("Token has expired");

    public static TokenRejection NotYetValid { get; } = InvalidToken("Token is not yet valid");

    public static TokenRejection NoExpiry { get; } = InvalidToken("Token has no expiry");

    public static TokenRejection InvalidAudience { get; } = InvalidToken("Invalid audience");

    public static TokenRejection InvalidIssuer { get; } = InvalidToken("Invalid issuer");

    public static TokenRejection NoMatchingKey { get; } = InvalidToken("No signing key matches the token");

    public static TokenRejection InvalidSignature { get; } = InvalidToken("Invalid signature");

    public static TokenRejection AlgorithmNotAllowed { get; } = InvalidToken("Algorithm not allowed");

    public static TokenRejection UnsupportedCriticalHeader { get; } = InvalidToken("Unsupported critical header");

    public static TokenRejection TooLarge { get; } = InvalidToken("Token is too large");

    public static TokenRejection Malformed { get; } = InvalidToken("Malformed token");

    public static TokenRejection InsufficientScope { get; } = new(RejectionKind.InsufficientScope, "Insufficient scope");

    public static TokenRejection KeysUnavailable { get; } =
        new(RejectionKind.KeysUnavailable, "Signing keys are unavailable; try again later");

    private static TokenRejection InvalidToken(string reason) => new(RejectionKind.InvalidToken, reason);
}
