using System.Collections.Concurrent;
using System.Net;
using FunctionApp.Http;

namespace FunctionApp.Auth;

/// <summary>Builds the answer to each rejection under the configured error contract, once per distinct answer.</summary>
public sealed class RejectionResponses
{
    private readonly ErrorContract _contract;
    private readonly ConcurrentDictionary<(TokenRejection, string), RejectionResponse> _built = new();

    public RejectionResponses(Auth0Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _contract = settings.ErrorContract;
    }

    /// <summary>The answer to <paramref name="rejection"/>; <paramref name="requiredScope"/> is named in an insufficient-scope challenge.</summary>
    public RejectionResponse For(TokenRejection rejection, string requiredScope)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        // Bounded: the rejections are a fixed set and the scopes come from the functions' declarations.
        var scope = rejection.Kind == RejectionKind.InsufficientScope ? requiredScope : string.Empty;
        return _built.GetOrAdd((rejection, scope), key => Build(key.Item1, key.Item2));
    }

    private RejectionResponse Build(TokenRejection rejection, string requiredScope)
    {
        var reason = rejection.Reason;
        var invalidToken = $"Bearer error=\"invalid_token\", error_description=\"{reason}\"";
        var insufficientScope = $"Bearer error=\"insufficient_scope\", scope=\"{requiredScope}\"";
        return (_contract, rejection.Kind) switch
        {
            (ErrorContract.Sample, RejectionKind.MissingCredentials or RejectionKind.WrongScheme) =>
                new(HttpStatusCode.Forbidden, JsonResponses.Serialize(new DetailMessage(reason)), "Bearer", false),
            (ErrorContract.Sample, RejectionKind.InvalidToken) =>
                new(HttpStatusCode.BadRequest, SampleError(reason), invalidToken, false),
            (ErrorContract.Sample, RejectionKind.InsufficientScope) =>
                new(HttpStatusCode.Forbidden, SampleError(reason), insufficientScope, false),
            (ErrorContract.Sample, _) =>
                new(HttpStatusCode.ServiceUnavailable, SampleError(reason), null, true),

            // RFC 6750 3.1: a request without credentials gets a challenge with no error code.
            (_, RejectionKind.MissingCredentials or RejectionKind.WrongScheme) =>
                new(HttpStatusCode.Unauthorized, OAuthError("invalid_request", reason), "Bearer", false),
            (_, RejectionKind.InvalidToken) =>
                new(HttpStatusCode.Unauthorized, OAuthError("invalid_token", reason), invalidToken, false),
            (_, RejectionKind.InsufficientScope) =>
                new(HttpStatusCode.Forbidden, OAuthError("insufficient_scope", reason), insufficientScope, false),
            _ =>
                new(HttpStatusCode.ServiceUnavailable, OAuthError("temporarily_unavailable", reason), null, true),
        };
    }

    private static byte[] SampleError(string reason) => JsonResponses.Serialize(new StatusMessage("error", reason));

    private static byte[] OAuthError(string error, string description) =>
        JsonResponses.Serialize(new OAuthError(error, description));
}
