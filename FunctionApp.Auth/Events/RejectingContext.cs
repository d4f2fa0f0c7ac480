using System.Net;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Auth;

/// <summary>What <see cref="AccessTokenEvents.OnRejecting"/> sees of a request about to be refused.</summary>
public sealed class RejectingContext
{
    internal RejectingContext(FunctionContext functionContext, HttpRequestData request, HttpStatusCode status, string error, string reason)
    {
        FunctionContext = functionContext;
        Request = request;
        Status = status;
        Error = error;
        Reason = reason;
    }

    /// <summary>The invocation of the protected function, which will not run.</summary>
    public FunctionContext FunctionContext { get; }

    /// <summary>The request.</summary>
    public HttpRequestData Request { get; }

    /// <summary>The status the error contract answers with.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The OAuth error code (RFC 6750, RFC 9449): <c>invalid_request</c>, <c>invalid_token</c>, <c>insufficient_scope</c>, ...</summary>
    public string Error { get; }

    /// <summary>The documented reason, such as <c>Token has expired</c>.</summary>
    public string Reason { get; }

    internal HttpResponseData? Response { get; private set; }

    /// <summary>Answers with <paramref name="response"/> (made with <c>Request.CreateResponse()</c>) in place of the documented answer.</summary>
    public void Respond(HttpResponseData response) => Response = response ?? throw new ArgumentNullException(nameof(response));
}
