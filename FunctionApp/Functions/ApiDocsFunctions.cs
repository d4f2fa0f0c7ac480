using System.Net;
using FunctionApp.Docs;
using FunctionApp.Endpoints;
using FunctionApp.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Functions;

/// <summary>GET /api/openapi.json and the interactive docs at GET /api/docs; both anonymous.</summary>
public sealed class ApiDocsFunctions(ApiDocs docs, SwaggerUiAssets assets)
{
    // Swagger UI sets inline styles and data: images; everything else comes from this app.
    private const string PagePolicy = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:";

    [Function("openapi")]
    [ExcludeFromApiDocs]
    public Task<HttpResponseData> OpenApi(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequestData request) =>
        request.CreateJsonResponseAsync(HttpStatusCode.OK, docs.OpenApiJson);

    [Function("docs")]
    [ExcludeFromApiDocs]
    public Task<HttpResponseData> Page(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "docs")] HttpRequestData request) =>
        WriteAsync(request, docs.Page, "text/html; charset=utf-8");

    [Function("docs-asset")]
    [ExcludeFromApiDocs]
    public Task<HttpResponseData> Asset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "docs/{asset}")] HttpRequestData request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = request.Url.Segments[^1];
        if (name == "start.js")
        {
            return WriteAsync(request, docs.StartScript, "text/javascript; charset=utf-8");
        }

        return assets.TryGet(name, out var content, out var contentType)
            ? WriteAsync(request, content, contentType)
            : Task.FromResult(request.CreateResponse(HttpStatusCode.NotFound));
    }

    private static async Task<HttpResponseData> WriteAsync(HttpRequestData request, ReadOnlyMemory<byte> content, string contentType)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = request.CreateResponse(HttpStatusCode.OK);
        response.Headers.Add("Content-Type", contentType);
        response.Headers.Add("Content-Security-Policy", PagePolicy);
        response.Headers.Add("X-Content-Type-Options", "nosniff");
        await response.Body.WriteAsync(content);
        return response;
    }
}
