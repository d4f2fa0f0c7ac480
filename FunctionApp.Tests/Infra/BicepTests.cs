using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Infra;

/// <summary>infra/ compiles and lints with no warning, and the template says what the README promises.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BicepTests
{
    private static readonly string Bicep = typeof(BicepTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepPath").Value!;

    private static async Task<(int ExitCode, string Output, string Errors)> RunAsync(params string[] arguments)
    {
        // NuGet does not always keep the executable bit of a packaged tool.
        File.SetUnixFileMode(Bicep, File.GetUnixFileMode(Bicep) | UnixFileMode.UserExecute);
        var start = new ProcessStartInfo(Bicep)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryFiles.PathOf("infra"),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await errors);
    }

    [Fact]
    public async Task Main_template_compiles_without_warnings()
    {
        var (exitCode, _, errors) = await RunAsync("build", "main.bicep", "--stdout");

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, errors.Trim());
    }

    [Theory]
    [InlineData("main.bicep")]
    [InlineData("main.example.bicepparam")]
    public async Task Lint_finds_nothing(string file)
    {
        var (exitCode, output, errors) = await RunAsync("lint", file);

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, (output + errors).Trim());
    }

    [Fact]
    public async Task Example_parameters_compile_against_the_template()
    {
        var (exitCode, _, errors) = await RunAsync("build-params", "main.example.bicepparam", "--stdout");

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, errors.Trim());
    }

    [Fact]
    public async Task Template_deploys_a_locked_down_flex_consumption_app_for_dotnet_10_isolated()
    {
        var (_, output, _) = await RunAsync("build", "main.bicep", "--stdout");
        using var template = JsonDocument.Parse(output);
        var resources = template.RootElement.GetProperty("resources");
        JsonElement Resource(string type) => resources.EnumerateArray()
            .Single(r => r.GetProperty("type").GetString() == type);

        var plan = Resource("Microsoft.Web/serverfarms");
        var site = Resource("Microsoft.Web/sites").GetProperty("properties");
        var storage = Resource("Microsoft.Storage/storageAccounts").GetProperty("properties");
        var ftp = Resource("Microsoft.Web/sites/basicPublishingCredentialsPolicies").GetProperty("properties");

        Assert.Equal("FlexConsumption", plan.GetProperty("sku").GetProperty("tier").GetString());
        Assert.True(site.GetProperty("httpsOnly").GetBoolean());
        Assert.Equal("1.2", site.GetProperty("siteConfig").GetProperty("minTlsVersion").GetString());
        Assert.Equal("Disabled", site.GetProperty("siteConfig").GetProperty("ftpsState").GetString());
        Assert.False(ftp.GetProperty("allow").GetBoolean());
        Assert.Equal("dotnet-isolated", site.GetProperty("functionAppConfig").GetProperty("runtime").GetProperty("name").GetString());
        Assert.Equal("10.0", site.GetProperty("functionAppConfig").GetProperty("runtime").GetProperty("version").GetString());
        Assert.Equal("SystemAssignedIdentity",
            site.GetProperty("functionAppConfig").GetProperty("deployment").GetProperty("storage").GetProperty("authentication").GetProperty("type").GetString());
        Assert.False(storage.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.Equal("TLS1_2", storage.GetProperty("minimumTlsVersion").GetString());
    }
}
