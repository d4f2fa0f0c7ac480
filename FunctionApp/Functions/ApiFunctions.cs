using System.ComponentModel;
using System.Net;
using FunctionApp.Auth;
using FunctionApp.Docs;
using FunctionApp.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Functions;

/// <summary>The sample's API: GET /api/public for anyone, GET /api/private and /api/private-scoped for callers with a valid token.</summary>
public static class ApiFunctions
{
    private static readonly byte[] Greeting = JsonResponses.Serialize(
        new StatusMessage("success", "Hello from a public endpoint! You don't need to be authenticated to see this."));

    [Function("public")]
    [AllowAnonymousAccess]
    [Description("Answers anyone")]
    [ResponseBody(typeof(StatusMessage))]
    public static Task<HttpResponseData> Public(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "public")] HttpRequestData request) =>
        request.CreateJsonResponseAsync(HttpStatusCode.OK, Greeting);

    [Function("private")]
    [Description("Answers callers with a valid access token with the token's claims")]
    [RequireAccessToken]
    public static Task<HttpResponseData> Private(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "private")] HttpRequestData request,
        FunctionContext context) =>
        request.CreateJsonResponseAsync(HttpStatusCode.OK, context.GetVerifiedAccessToken().PayloadJson);

    [Function("private-scoped")]
    [Description("Answers callers whose token grants read:messages with the token's claims")]
    [RequireAccessToken("read:messages")]
    public static Task<HttpResponseData> PrivateScoped(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "private-scoped")] HttpRequestData request,
        FunctionContext context) =>
        request.CreateJsonResponseAsync(HttpStatusCode.OK, context.GetVerifiedAccessToken().PayloadJson);
}
