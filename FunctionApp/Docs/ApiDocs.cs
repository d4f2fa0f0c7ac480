using System.Globalization;
using System.Text;
using FunctionApp.Auth;
using FunctionApp.Endpoints;
using Microsoft.OpenApi;

namespace FunctionApp.Docs;

/// <summary>The OpenAPI document and the docs page, rendered once from the function catalog.</summary>
public sealed class ApiDocs
{
    public ApiDocs(FunctionCatalog catalog, Auth0Settings settings)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var document = OpenApiDocumentFactory.Create(catalog, settings);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        document.SerializeAsV3(new OpenApiJsonWriter(text));
        OpenApiJson = Encoding.UTF8.GetBytes(text.ToString());

        var basePath = catalog.RoutePrefix.Length == 0 ? string.Empty : "/" + catalog.RoutePrefix;
        Page = Encoding.UTF8.GetBytes($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <title>API docs</title>
              <link rel="stylesheet" href="{{basePath}}/docs/swagger-ui.css">
              <link rel="icon" type="image/png" href="{{basePath}}/docs/favicon-32x32.png">
            </head>
            <body>
              <div id="swagger-ui"></div>
              <script src="{{basePath}}/docs/swagger-ui-bundle.js"></script>
              <script src="{{basePath}}/docs/start.js"></script>
            </body>
            </html>
            """);
        StartScript = Encoding.UTF8.GetBytes($$"""
            window.ui = SwaggerUIBundle({
              url: "{{basePath}}/openapi.json",
              dom_id: "#swagger-ui",
              presets: [SwaggerUIBundle.presets.apis],
              layout: "BaseLayout"
            });
            """);
    }

    public ReadOnlyMemory<byte> OpenApiJson { get; }

    public ReadOnlyMemory<byte> Page { get; }

    /// <summary>Starts Swagger UI; a file of its own so the page needs no inline script.</summary>
    public ReadOnlyMemory<byte> StartScript { get; }
}
