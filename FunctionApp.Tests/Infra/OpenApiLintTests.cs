using System.Text.Json;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Infra;

/// <summary>The OpenAPI document the running app serves is valid OpenAPI and passes Redocly's recommended rules.</summary>
public sealed class OpenApiLintTests(AppFixture app) : IClassFixture<AppFixture>, IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("openapi-lint-");

    public void Dispose() => _folder.Delete(recursive: true);

    private async Task<string> ServedDocumentAsync()
    {
        using var response = await app.Client.GetAsync("api/openapi.json");
        Assert.Equal(200, (int)response.StatusCode);
        var path = Path.Combine(_folder.FullName, "openapi.json");
        await File.WriteAllBytesAsync(path, await response.Content.ReadAsByteArrayAsync());
        return path;
    }

    [Fact]
    public async Task Document_is_valid_against_the_openapi_schema()
    {
        var document = await ServedDocumentAsync();

        var (exitCode, output, errors) = await LintTools.RunAsync("validate-api", [document], _folder.FullName);

        Assert.True(exitCode == 0, output + errors);
        using var verdict = JsonDocument.Parse(output);
        Assert.True(verdict.RootElement.GetProperty("valid").GetBoolean(), output);
    }

    [Fact]
    public async Task Redocly_recommended_rules_find_no_error_and_only_the_warnings_the_api_cannot_answer()
    {
        var document = await ServedDocumentAsync();

        var (exitCode, output, errors) = await LintTools.RunAsync(
            "redocly", ["lint", document, "--extends=recommended", "--format=json"], _folder.FullName);

        Assert.True(exitCode == 0, output + errors);
        using var report = JsonDocument.Parse(output);
        var problems = report.RootElement.GetProperty("problems").EnumerateArray()
            .Select(p => (
                Rule: p.GetProperty("ruleId").GetString(),
                Severity: p.GetProperty("severity").GetString(),
                At: string.Join(' ', p.GetProperty("location").EnumerateArray().Select(l => l.GetProperty("pointer").GetString()))))
            .ToList();
        Assert.Equal(
            [
                // The project states no license, so the document cannot name one.
                ("info-license", "warn", "#/info"),
                // /api/public answers everyone 200: there is no 4xx of its own to document.
                ("operation-4xx-response", "warn", "#/paths/~1api~1public/get/responses"),
            ],
            problems);
    }
}
