using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FunctionApp.Auth;

/// <summary>
/// Why a request to a protected function was refused, and how that is answered under each error contract: the one
/// place that states the statuses, bodies and challenges.
/// </summary>
internal sealed class TokenRejection
{
    // RFC 6749/6750 error codes; each also decides the answer under the sample's contract.
    private const string MissingCredentials = "invalid_request";
    private const string InvalidTokenError = "invalid_token";
    private const string InsufficientScopeError = "insufficient_scope";
    private const string Unavailable = "temporarily_unavailable";

    private static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly byte[] _sampleBody;
    private readonly byte[] _rfc6750Body;

    private TokenRejection(string error, string reason)
    {
        Error = error;
        Reason = reason;
        _sampleBody = error == MissingCredentials ? Json(("detail", reason)) : Json(("status", "error"), ("msg", reason));
        _rfc6750Body = Json(("error", error), ("error_description", reason));
    }

    public static TokenRejection NotAuthenticated { get; } = new(MissingCredentials, "Not authenticated");

    public static TokenRejection InvalidCredentials { get; } = new(MissingCredentials, "Invalid authentication credentials");

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

    public static TokenRejection InsufficientScope { get; } = new(InsufficientScopeError, "Insufficient scope");

    public static TokenRejection KeysUnavailable { get; } = new(Unavailable, "Signing keys are unavailable; try again later");

    /// <summary>Every rejection there is, for the API docs.</summary>
    public static IReadOnlyList<TokenRejection> All { get; } =
    [
        NotAuthenticated, InvalidCredentials, Expired, NotYetValid, NoExpiry, InvalidAudience, InvalidIssuer, NoMatchingKey,
        InvalidSignature, AlgorithmNotAllowed, UnsupportedCriticalHeader, TooLarge, Malformed, InsufficientScope, KeysUnavailable,
    ];

    /// <summary>The OAuth error code (RFC 6749 5.2, RFC 6750 3.1).</summary>
    public string Error { get; }

    /// <summary>A short, stable sentence; never token content.</summary>
    public string Reason { get; }

    /// <summary>True when the fault is the server's: the answer carries Retry-After and no challenge.</summary>
    public bool RetryLater => Error == Unavailable;

    /// <summary>True for a valid token that lacks a permission: only then does the challenge name a scope.</summary>
    public bool IsInsufficientScope => Error == InsufficientScopeError;

    public HttpStatusCode Status(ErrorContract contract) => (Error, contract) switch
    {
        (MissingCredentials, ErrorContract.Sample) => HttpStatusCode.Forbidden,
        (InvalidTokenError, ErrorContract.Sample) => HttpStatusCode.BadRequest,
        (MissingCredentials or InvalidTokenError, _) => HttpStatusCode.Unauthorized,
        (InsufficientScopeError, _) => HttpStatusCode.Forbidden,
        _ => HttpStatusCode.ServiceUnavailable,
    };

    /// <summary>The UTF-8 JSON body, built once.</summary>
    public ReadOnlyMemory<byte> Body(ErrorContract contract) => contract == ErrorContract.Sample ? _sampleBody : _rfc6750Body;

    /// <summary>The member names of <see cref="Body"/>, for the API docs.</summary>
    public IReadOnlyList<string> BodyMembers(ErrorContract contract) => (contract, Error) switch
    {
        (ErrorContract.Sample, MissingCredentials) => ["detail"],
        (ErrorContract.Sample, _) => ["status", "msg"],
        _ => ["error", "error_description"],
    };

    /// <summary>The WWW-Authenticate value, or null for none; <paramref name="requiredScope"/> is named for insufficient scope.</summary>
    public string? Challenge(string requiredScope) => Error switch
    {
        // RFC 6750 3.1: a request without credentials gets a challenge with no error code.
        MissingCredentials => "Bearer",
        InvalidTokenError => $"Bearer error=\"invalid_token\", error_description=\"{Reason}\"",
        InsufficientScopeError => $"Bearer error=\"insufficient_scope\", scope=\"{requiredScope}\"",
        _ => null,
    };

    private static TokenRejection InvalidToken(string reason) => new(InvalidTokenError, reason);

    private static byte[] Json(params (string Name, string Value)[] members)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Relaxed))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in members)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
