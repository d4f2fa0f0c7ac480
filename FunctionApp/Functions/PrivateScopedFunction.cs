using System.ComponentModel;
using System.Net;
using FunctionApp.Auth;
using FunctionApp.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Functions;

/// <summary>GET /api/private-scoped: like /api/private, for tokens granting the permission read:messages.</summary>
public static class PrivateScopedFunction
{
    [Function("private-scoped")]
    [Description("Answers callers whose token grants read:messages with the token's claims")]
    [RequireAccessToken("read:messages")]
    public static Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "private-scoped")] HttpRequestData request,
        FunctionContext context) =>
        request.CreateJsonResponseAsync(HttpStatusCode.OK, context.GetVerifiedAccessToken().PayloadJson);
}
