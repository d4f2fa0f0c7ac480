using System.Text.Json;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

public sealed class ApiDocsTests(AppFixture app) : IClassFixture<AppFixture>
{
    private async Task<JsonElement> OpenApiAsync()
    {
        using var response = await app.Client.GetAsync("api/openapi.json");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    [Fact]
    public async Task OpenApi_documents_every_api_function_and_not_the_docs()
    {
        var paths = (await OpenApiAsync()).GetProperty("paths").EnumerateObject().Select(p => p.Name);

        Assert.Equal(["/api/private", "/api/private-scoped", "/api/public"], paths);
    }

    [Fact]
    public async Task OpenApi_marks_protected_operations_with_the_bearer_and_DPoP_schemes_and_their_rejections()
    {
        var document = await OpenApiAsync();
        var operation = document.GetProperty("paths").GetProperty("/api/private").GetProperty("get");
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        var bearer = schemes.GetProperty("bearer");
        var dpop = schemes.GetProperty("dpop");

        Assert.Equal(["200", "400", "403", "503"], operation.GetProperty("responses").EnumerateObject().Select(r => r.Name));
        // Two alternatives: either scheme will do.
        Assert.Equal(["bearer", "dpop"], operation.GetProperty("security").EnumerateArray().Select(r => r.EnumerateObject().Single().Name));
        Assert.Equal("http", bearer.GetProperty("type").GetString());
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
        Assert.Equal("JWT", bearer.GetProperty("bearerFormat").GetString());
        Assert.Equal("http", dpop.GetProperty("type").GetString());
        Assert.Equal("DPoP", dpop.GetProperty("scheme").GetString());
        Assert.Equal("DPoP", operation.GetProperty("parameters")[0].GetProperty("name").GetString());
        Assert.Contains("Missing DPoP proof", operation.GetProperty("responses").GetProperty("400").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_describes_the_public_body_and_declares_it_anonymous()
    {
        var document = await OpenApiAsync();
        var operation = document.GetProperty("paths").GetProperty("/api/public").GetProperty("get");
        var body = document.GetProperty("components").GetProperty("schemas").GetProperty("StatusMessage");

        Assert.Equal(["200"], operation.GetProperty("responses").EnumerateObject().Select(r => r.Name));
        Assert.Equal(JsonValueKind.Array, operation.GetProperty("security").ValueKind);
        Assert.Equal(0, operation.GetProperty("security").GetArrayLength());
        Assert.Equal(["status", "msg"], body.GetProperty("properties").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task OpenApi_serves_its_paths_from_the_host_root_so_they_keep_their_base_path()
    {
        var document = await OpenApiAsync();

        Assert.Equal("/", Assert.Single(document.GetProperty("servers").EnumerateArray()).GetProperty("url").GetString());
        Assert.All(document.GetProperty("paths").EnumerateObject(), p => Assert.StartsWith("/api/", p.Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task OpenApi_names_the_permission_a_scoped_operation_needs()
    {
        var operation = (await OpenApiAsync()).GetProperty("paths").GetProperty("/api/private-scoped").GetProperty("get");

        Assert.Contains("read:messages", operation.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, operation.GetProperty("responses").GetProperty("403").GetProperty("content")
            .GetProperty("application/json").GetProperty("schema").GetProperty("oneOf").GetArrayLength());
    }

    [Fact]
    public async Task Docs_page_is_served_by_the_app_under_a_strict_content_security_policy()
    {
        using var response = await app.Client.GetAsync("api/docs");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var policy = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
        Assert.StartsWith("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("/api/docs/swagger-ui-bundle.js", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("swagger-ui-bundle.js", "text/javascript; charset=utf-8")]
    [InlineData("swagger-ui.css", "text/css; charset=utf-8")]
    [InlineData("start.js", "text/javascript; charset=utf-8")]
    public async Task Docs_assets_come_from_the_app(string asset, string contentType)
    {
        using var response = await app.Client.GetAsync("api/docs/" + asset);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.ToString());
        Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("index.html")]
    [InlineData("..%2Fhost.json")]
    [InlineData("LICENSE")]
    public async Task Only_the_listed_docs_assets_are_served(string asset)
    {
        using var response = await app.Client.GetAsync("api/docs/" + asset);

        Assert.Equal(404, (int)response.StatusCode);
    }
}
