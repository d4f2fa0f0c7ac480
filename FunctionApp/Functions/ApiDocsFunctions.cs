using System.Net;
using FunctionApp.Auth;
using FunctionApp.Docs;
using FunctionApp.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Functions;

/// <summary>GET /api/openapi.json and the interactive docs at GET /api/docs; both anonymous.</summary>
internal sealed class ApiDocsFunctions(ApiDocs docs, SwaggerUiAssets assets)
{
    // Swagger UI sets inline styles and data: images; everything else comes from this app, and no page may frame it.
    private static readonly byte[] UnreadableUrl = """{"detail":"The request URL could not be read"}"""u8.ToArray();

    private const string PagePolicy = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

    [Function("openapi")]
    [AllowAnonymousAccess]
    [ExcludeFromApiDocs]
    public Task<HttpResponseData> OpenApi(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequestData request) =>
        WriteAsync(request, "openapi.json", basePath => docs.OpenApiJson(basePath), "application/json; charset=utf-8");

    [Function("docs")]
    [AllowAnonymousAccess]
    [ExcludeFromApiDocs]
    public Task<HttpResponseData> Page(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "docs")] HttpRequestData request) =>
        WriteAsync(request, "docs", basePath => docs.Page(basePath), "text/html; charset=utf-8");

    [Function("docs-asset")]
    [AllowAnonymousAccess]
    [ExcludeFromApiDocs]
    public Task<HttpResponseData> Asset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "docs/{asset}")] HttpRequestData request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (RequestUrl.Of(request) is not { } url)
        {
            return request.CreateJsonResponseAsync(HttpStatusCode.BadRequest, UnreadableUrl);
        }

        var name = url.Segments[^1];
        if (name == "start.js")
        {
            return WriteAsync(request, "docs/start.js", basePath => docs.StartScript(basePath), "text/javascript; charset=utf-8");
        }

        return assets.TryGet(name, out var content, out var contentType)
            ? WriteAsync(request, "docs/" + name, _ => content, contentType)
            : Task.FromResult(request.CreateResponse(HttpStatusCode.NotFound));
    }

    private static async Task<HttpResponseData> WriteAsync(
        HttpRequestData request, string route, Func<string, ReadOnlyMemory<byte>> content, string contentType)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (RequestUrl.Of(request) is not { } url)
        {
            return await request.CreateJsonResponseAsync(HttpStatusCode.BadRequest, UnreadableUrl);
        }

        if (!ApiDocs.TryGetBasePath(url, route, out var basePath))
        {
            return request.CreateResponse(HttpStatusCode.NotFound);
        }

        var response = request.CreateResponse(HttpStatusCode.OK);
        response.Headers.Add("Content-Type", contentType);
        response.Headers.Add("Content-Security-Policy", PagePolicy);
        response.Headers.Add("X-Content-Type-Options", "nosniff");
        await response.Body.WriteAsync(content(basePath));
        return response;
    }
}
