using System.Net;
using static FunctionApp.Auth.OAuthErrorCodes;

namespace FunctionApp.Auth;

/// <summary>The sample's answers (<see cref="ErrorContract.Sample"/>): 403 <c>{"detail":...}</c> without a usable credential, 400 <c>{"status":"error","msg":...}</c> for a bad token or proof.</summary>
internal sealed class SampleErrorContract : ErrorContractAnswers
{
    public override HttpStatusCode Status(TokenRejection rejection) => rejection.Error switch
    {
        InvalidRequest or InsufficientScope => HttpStatusCode.Forbidden,
        InvalidToken or InvalidDPoPProof => HttpStatusCode.BadRequest,
        // RFC 9449 9: the nonce challenge is a 401 under either contract, so that DPoP clients follow it on their own.
        UseDPoPNonce => HttpStatusCode.Unauthorized,
        _ => HttpStatusCode.ServiceUnavailable,
    };

    // FastAPI's HTTPBearer answers {"detail":...} when there is no usable credential; the sample's own checks, the rest.
    public override ErrorBody Describe(TokenRejection rejection) => rejection.Error == InvalidRequest
        ? new("DetailMessage", ("detail", rejection.Reason))
        : new("StatusMessage", ("status", "error"), ("msg", rejection.Reason));
}
