using System.Text.Json;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// local.settings.json.example, copied as the README says and with its two placeholders filled: every other value in
/// it is one the app accepts, and the app it configures protects its private functions.
/// </summary>
public sealed class SettingsTemplateTests
{
    private static readonly string[] SettingsPages = ["docs/settings.md", "docs/dpop.md"];

    [Fact]
    public async Task The_settings_template_with_its_domain_and_audience_filled_in_runs_the_app()
    {
        using var template = JsonDocument.Parse(RepositoryFiles.Read("local.settings.json.example"));
        var values = template.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(v => v.Name, v => v.Value.GetString()!);

        await using var app = await AppFixture.StartAsync(settings =>
        {
            foreach (var (name, value) in values.Where(v => v.Key is not ("Auth0__Domain" or "Auth0__ApiAudience")))
            {
                settings[name] = value;
            }
        });

        using var anonymous = await app.Client.GetAsync("api/private");
        using var authorized = await app.GetPrivateWithTokenAsync(app.Issuer.CreateToken());
        Assert.Equal(403, (int)anonymous.StatusCode);
        Assert.Equal(200, (int)authorized.StatusCode);
    }

    [Fact]
    public void The_settings_template_names_every_setting_the_docs_list()
    {
        using var template = JsonDocument.Parse(RepositoryFiles.Read("local.settings.json.example"));
        var inTemplate = template.RootElement.GetProperty("Values").EnumerateObject().Select(v => v.Name).ToHashSet(StringComparer.Ordinal);

        var documented = SettingsPages
            .SelectMany(page => RepositoryFiles.Read(page).Split('\n'))
            .Where(line => line.StartsWith("| `Auth0__", StringComparison.Ordinal))
            .Select(line => line.Split('`')[1]);

        Assert.All(documented, setting => Assert.Contains(setting, inTemplate));
    }
}
