using System.Text.RegularExpressions;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Publishing;

/// <summary>
/// The README's "Protecting your own functions", followed step by step on a new app outside this repository: the
/// project today's isolated-worker template makes (ASP.NET Core integration, <c>ConfigureFunctionsWebApplication()</c>),
/// the README's commands run as written to pack and add the package, its lines added to Program.cs, its function
/// file written, its two settings given. Served by the TestHost as the genuine host serves such an app, beside this
/// repository's own app, which uses the gRPC HTTP model, to compare answers with.
/// </summary>
public sealed partial class TemplateShapedApp : IAsyncLifetime
{
    private const string AppFolder = "MyApi";

    // The version FunctionApp.Auth.csproj states, which the README's dotnet pack makes.
    private const string PackedVersion = "1.0.0";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "functionapp-template-" + Guid.NewGuid().ToString("N"));

    /// <summary>The template-shaped app, under ASP.NET Core integration.</summary>
    public AppFixture App { get; private set; } = null!;

    /// <summary>This repository's app, whose HTTP functions use the gRPC model, against an issuer of its own.</summary>
    public AppFixture GrpcModelApp { get; private set; } = null!;

    /// <summary>The settings the README's step 4 names.</summary>
    public IReadOnlyList<string> DocumentedSettings { get; private set; } = [];

    public async Task InitializeAsync()
    {
        var steps = ReadmeSteps();
        var app = Path.Combine(_root, AppFolder);
        Directory.CreateDirectory(app);
        await WriteTemplateAsync(app);

        // Step 1, as written: the commands run in the app's folder, the repository's path filled in. The package's
        // version is fixed, so NuGet's cache would serve an earlier pack of it: it is cleared before and after.
        AuthPackageFeed.ForgetInstalled(PackedVersion);
        var commands = steps.Commands.Replace("PATH_TO_THIS_REPOSITORY", RepositoryFiles.PathOf("."), StringComparison.Ordinal);
        var (exitCode, output, errors) = await ToolProcess.RunAsync("bash", ["-euo", "pipefail", "-c", commands], app);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"The README's commands exited with {exitCode}:\n{output}\n{errors}");
        }

        // Step 2: the using at the top of Program.cs, the line after ConfigureFunctionsWebApplication().
        var program = await File.ReadAllTextAsync(Path.Combine(app, "Program.cs"));
        program = steps.Using + "\n" + program.Replace(
            "builder.ConfigureFunctionsWebApplication();\n",
            "builder.ConfigureFunctionsWebApplication();\n" + steps.Line + "\n",
            StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), program);

        // Step 3: the function file.
        await File.WriteAllTextAsync(Path.Combine(app, "Messages.cs"), steps.Function);

        // Step 4 names the two settings, which the TestHost gives the app for its local issuer; step 5 runs it.
        DocumentedSettings = steps.Settings;
        var built = Path.Combine(_root, "out");
        await PublishedCopy.DotnetAsync(app, "build", "-c", "Release", "-o", built, "-nologo", "--disable-build-servers");
        App = await AppFixture.StartAsync(appDirectory: built);
        GrpcModelApp = await AppFixture.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var app in new[] { App, GrpcModelApp })
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
        }

        AuthPackageFeed.ForgetInstalled(PackedVersion);
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    // What `func init --worker-runtime dotnet-isolated --target-framework net10.0` writes (Azure/azure-functions-templates,
    // ProjectTemplate_v4.x/CSharp-Isolated), with the package versions this machine's package mirror holds.
    private static async Task WriteTemplateAsync(string app)
    {
        await File.WriteAllTextAsync(Path.Combine(app, AppFolder + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <AzureFunctionsVersion>v4</AzureFunctionsVersion>
                <OutputType>Exe</OutputType>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <FrameworkReference Include="Microsoft.AspNetCore.App" />
                <PackageReference Include="Microsoft.ApplicationInsights.WorkerService" Version="2.23.0" />
                <PackageReference Include="Microsoft.Azure.Functions.Worker.ApplicationInsights" Version="2.51.0" />
                <PackageReference Include="Microsoft.Azure.Functions.Worker.Extensions.Http.AspNetCore" Version="2.1.1" />
            {OutsideAppFiles.PackageReferences("Microsoft.Azure.Functions.Worker", "Microsoft.Azure.Functions.Worker.Sdk")}
              </ItemGroup>
              <ItemGroup>
                <None Update="host.json">
                  <CopyToOutputDirectory>PreserveNewest</CopyToOutputDirectory>
                </None>
                <None Update="local.settings.json">
                  <CopyToOutputDirectory>PreserveNewest</CopyToOutputDirectory>
                  <CopyToPublishDirectory>Never</CopyToPublishDirectory>
                </None>
              </ItemGroup>
              <ItemGroup>
                <Using Include="System.Threading.ExecutionContext" Alias="ExecutionContext" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
            using Microsoft.Azure.Functions.Worker;
            using Microsoft.Azure.Functions.Worker.Builder;
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Hosting;

            var builder = FunctionsApplication.CreateBuilder(args);

            builder.ConfigureFunctionsWebApplication();

            builder.Services
                .AddApplicationInsightsTelemetryWorkerService()
                .ConfigureFunctionsApplicationInsights();

            builder.Build().Run();

            """);
        await File.WriteAllTextAsync(Path.Combine(app, "host.json"), """
            {
                "version": "2.0",
                "logging": {
                    "applicationInsights": {
                        "samplingSettings": {
                            "isEnabled": true,
                            "excludedTypes": "Request"
                        },
                        "enableLiveMetricsFilters": true
                    }
                }
            }
            """);
    }

    private sealed record Steps(string Commands, string Using, string Line, string Function, IReadOnlyList<string> Settings);

    // The fenced blocks of the README's section, in order: the commands, the using, the line, the function, the settings.
    private static Steps ReadmeSteps()
    {
        var readme = RepositoryFiles.Read("README.md");
        var start = readme.IndexOf("## Protecting your own functions", StringComparison.Ordinal);
        var section = readme[start..readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal)];
        var blocks = FencedBlock().Matches(section).Select(m => Unindent(m.Groups["body"].Value)).ToArray();
        Assert.Equal(5, blocks.Length);
        var settings = SettingName().Matches(blocks[4]).Select(m => m.Groups["name"].Value).ToArray();
        return new Steps(blocks[0], blocks[1].Trim(), blocks[2].Trim(), blocks[3], settings);
    }

    // The blocks sit in a numbered list, indented by three spaces.
    private static string Unindent(string block) =>
        string.Join('\n', block.Split('\n').Select(line => line.StartsWith("   ", StringComparison.Ordinal) ? line[3..] : line));

    [GeneratedRegex(@"```[a-z]+\n(?<body>.*?)\n\s*```", RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex("\"(?<name>Auth0__[A-Za-z]+)\"")]
    private static partial Regex SettingName();
}
