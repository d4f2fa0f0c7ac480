using System.Net;
using FunctionApp.Http;

namespace FunctionApp.Auth;

/// <summary>Why a request to a protected function was refused, and the exact response that says so.</summary>
public sealed class TokenRejection
{
    private TokenRejection(HttpStatusCode status, string reason, byte[] body, string challenge, bool retryLater)
    {
        Status = status;
        Reason = reason;
        Body = body;
        Challenge = challenge;
        RetryLater = retryLater;
    }

    public HttpStatusCode Status { get; }

    /// <summary>A short, stable sentence; never token content.</summary>
    public string Reason { get; }

    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The WWW-Authenticate header value.</summary>
    public string Challenge { get; }

    /// <summary>True when the fault is the server's and the caller should retry (sent with Retry-After).</summary>
    public bool RetryLater { get; }

    public static TokenRejection NotAuthenticated { get; } = Forbidden("Not authenticated");

    public static TokenRejection InvalidCredentials { get; } = Forbidden("Invalid authentication credentials");

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

    public static TokenRejection KeysUnavailable { get; } = new(
        HttpStatusCode.ServiceUnavailable,
        "Signing keys are unavailable; try again later",
        JsonResponses.Object(("status", "error"), ("msg", "Signing keys are unavailable; try again later")),
        "Bearer",
        retryLater: true);

    // FastAPI's HTTPBearer answers a missing or non-Bearer credential with 403 {"detail": ...}; the sample keeps that.
    private static TokenRejection Forbidden(string reason) =>
        new(HttpStatusCode.Forbidden, reason, JsonResponses.Object(("detail", reason)), "Bearer", retryLater: false);

    private static TokenRejection InvalidToken(string reason) =>
        new(
            HttpStatusCode.BadRequest,
            reason,
            JsonResponses.Object(("status", "error"), ("msg", reason)),
            $"Bearer error=\"invalid_token\", error_description=\"{reason}\"",
            retryLater: false);
}
