using System.ComponentModel;
using System.Net;
using FunctionApp.Endpoints;
using FunctionApp.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Functions;

/// <summary>GET /api/public: answers anyone.</summary>
public static class PublicFunction
{
    private static readonly byte[] Greeting = JsonResponses.Serialize(
        new StatusMessage("success", "Hello from a public endpoint! You don't need to be authenticated to see this."));

    [Function("public")]
    [Description("Answers anyone")]
    [ResponseBody(typeof(StatusMessage))]
    public static Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "public")] HttpRequestData request) =>
        request.CreateJsonResponseAsync(HttpStatusCode.OK, Greeting);
}
