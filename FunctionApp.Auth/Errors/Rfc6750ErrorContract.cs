using System.Net;
using static FunctionApp.Auth.OAuthErrorCodes;

namespace FunctionApp.Auth;

/// <summary>RFC 6750's answers (<see cref="ErrorContract.Rfc6750"/>): 401 for a missing or invalid token or proof, 403 only for insufficient scope, <c>{"error":...,"error_description":...}</c> bodies.</summary>
internal sealed class Rfc6750ErrorContract : ErrorContractAnswers
{
    public override HttpStatusCode Status(TokenRejection rejection) => rejection.Error switch
    {
        InvalidRequest or InvalidToken or InvalidDPoPProof or UseDPoPNonce => HttpStatusCode.Unauthorized,
        InsufficientScope => HttpStatusCode.Forbidden,
        _ => HttpStatusCode.ServiceUnavailable,
    };

    // RFC 6749 5.2: the error code and a human-readable description.
    public override ErrorBody Describe(TokenRejection rejection) =>
        new("OAuthError", ("error", rejection.Error), ("error_description", rejection.Reason));
}
