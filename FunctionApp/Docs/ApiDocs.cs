using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using FunctionApp.Auth;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace FunctionApp.Docs;

/// <summary>
/// The OpenAPI document and the docs page, rendered from the function catalog for the path the host serves the API
/// under (its route prefix, read from the URL of the docs themselves, so it is stated only in host.json).
/// </summary>
internal sealed class ApiDocs(FunctionCatalog catalog, IOptions<Auth0Options> options, ErrorContractAnswers answers)
{
    // Keyed by base path, lowercased: the host matches routes without regard to case, so there is one in practice.
    private readonly ConcurrentDictionary<string, (byte[] OpenApiJson, byte[] Page, byte[] StartScript)> _rendered = new(StringComparer.Ordinal);

    /// <summary>The OpenAPI 3 document, paths under <paramref name="basePath"/> (e.g. <c>/api</c>, or empty).</summary>
    public ReadOnlyMemory<byte> OpenApiJson(string basePath) => Render(basePath).OpenApiJson;

    public ReadOnlyMemory<byte> Page(string basePath) => Render(basePath).Page;

    /// <summary>Starts Swagger UI; a file of its own so the page needs no inline script.</summary>
    public ReadOnlyMemory<byte> StartScript(string basePath) => Render(basePath).StartScript;

    private const int MaxRenderedPaths = 4;

    /// <summary>
    /// The path the API is served under, from the URL of a request for <paramref name="route"/>; false when it is not one
    /// a host would serve (anything but letters, digits and <c>/._~-</c>), since it goes into the page.
    /// </summary>
    public static bool TryGetBasePath(Uri url, string route, out string basePath)
    {
        ArgumentNullException.ThrowIfNull(url);
        basePath = string.Empty;
        var path = url.AbsolutePath;
        if (!path.EndsWith("/" + route, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        basePath = path[..^(route.Length + 1)].TrimEnd('/').ToLowerInvariant();
        return basePath.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '~' or '-');
    }

    private (byte[] OpenApiJson, byte[] Page, byte[] StartScript) Render(string basePath) =>
        _rendered.TryGetValue(basePath, out var rendered) ? rendered
        : _rendered.Count < MaxRenderedPaths ? _rendered.GetOrAdd(basePath, RenderFor)
        : RenderFor(basePath);

    private (byte[] OpenApiJson, byte[] Page, byte[] StartScript) RenderFor(string path)
    {
        var document = OpenApiDocumentFactory.Create(catalog, options.Value, answers, path);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        document.SerializeAsV3(new OpenApiJsonWriter(text));
        var page = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <title>API docs</title>
              <link rel="stylesheet" href="{{path}}/docs/swagger-ui.css">
              <link rel="icon" type="image/png" href="{{path}}/docs/favicon-32x32.png">
            </head>
            <body>
              <div id="swagger-ui"></div>
              <script src="{{path}}/docs/swagger-ui-bundle.js"></script>
              <script src="{{path}}/docs/start.js"></script>
            </body>
            </html>
            """;
        var start = $$"""
            window.ui = SwaggerUIBundle({
              url: "{{path}}/openapi.json",
              dom_id: "#swagger-ui",
              presets: [SwaggerUIBundle.presets.apis],
              layout: "BaseLayout"
            });
            """;
        return (Encoding.UTF8.GetBytes(text.ToString()), Encoding.UTF8.GetBytes(page), Encoding.UTF8.GetBytes(start));
    }
}
