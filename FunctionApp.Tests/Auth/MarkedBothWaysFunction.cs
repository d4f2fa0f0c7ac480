using FunctionApp.Auth;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Tests.Auth;

/// <summary>A function marked to require a token and to answer anyone at once: a declaration that must stop start-up.</summary>
internal static class MarkedBothWaysFunction
{
    [Function("both")]
    [RequireAccessToken]
    [AllowAnonymousAccess]
    public static HttpResponseData Run([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.CreateResponse();
    }
}
