using System.ComponentModel;
using System.Net;
using FunctionApp.Auth;
using FunctionApp.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Functions;

/// <summary>GET /api/private: answers callers with a valid Auth0 access token with that token's claims.</summary>
public static class PrivateFunction
{
    [Function("private")]
    [Description("Answers callers with a valid access token with the token's claims")]
    [RequireAccessToken]
    public static Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "private")] HttpRequestData request,
        FunctionContext context) =>
        request.CreateJsonResponseAsync(HttpStatusCode.OK, context.GetVerifiedAccessToken().PayloadJson);
}
