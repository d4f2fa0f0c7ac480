using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Publishing;

/// <summary>
/// A function app outside this repository shaped as today's isolated-worker template makes it: ASP.NET Core integration
/// (<c>ConfigureFunctionsWebApplication()</c>), functions that take an <c>HttpRequest</c> and return an
/// <c>IActionResult</c>; plus the auth code and one line to turn it on. Served by the TestHost as the genuine host
/// serves such an app, beside this repository's own app, which uses the gRPC HTTP model, to compare answers with.
/// </summary>
public sealed class TemplateShapedApp : IAsyncLifetime
{
    // The only version on the local package mirror; this repository's app does not use the package, so it states none.
    private const string AspNetCoreIntegrationVersion = "2.1.1";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "functionapp-template-" + Guid.NewGuid().ToString("N"));

    /// <summary>The template-shaped app, under ASP.NET Core integration.</summary>
    public AppFixture App { get; private set; } = null!;

    /// <summary>This repository's app, whose HTTP functions use the gRPC model, against an issuer of its own.</summary>
    public AppFixture GrpcModelApp { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var authPackages = OutsideAppFiles.AddAuthCode(_root);
        var workerPackages = OutsideAppFiles.PackageReferences("Microsoft.Azure.Functions.Worker", "Microsoft.Azure.Functions.Worker.Sdk");
        await WriteAsync("TemplateApp.csproj", $"""
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
            {workerPackages}
                <PackageReference Include="Microsoft.Azure.Functions.Worker.Extensions.Http.AspNetCore" Version="{AspNetCoreIntegrationVersion}" />
            {authPackages}
              </ItemGroup>
              <ItemGroup>
                <None Update="host.json;messages.txt" CopyToOutputDirectory="PreserveNewest" />
              </ItemGroup>
            </Project>
            """);
        await WriteAsync("host.json", """{ "version": "2.0" }""");
        await WriteAsync("messages.txt", "hello\nworld\n");
        await WriteAsync("Program.cs", """
            using FunctionApp.Auth;
            using Microsoft.Azure.Functions.Worker.Builder;
            using Microsoft.Extensions.Hosting;

            var builder = FunctionsApplication.CreateBuilder(args);
            builder.ConfigureFunctionsWebApplication();
            builder.UseAuth0AccessTokens();
            builder.Build().Run();
            """);
        await WriteAsync("Messages.cs", """
            using FunctionApp.Auth;
            using Microsoft.AspNetCore.Http;
            using Microsoft.AspNetCore.Mvc;
            using Microsoft.Azure.Functions.Worker;
            using Microsoft.Extensions.Logging;

            namespace TemplateApp;

            public class Messages(ILogger<Messages> logger)
            {
                [Function("messages")]
                [RequireAccessToken("read:messages")]
                public async Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "messages")] HttpRequest req)
                {
                    logger.LogInformation("Reading the messages.");
                    var messages = await File.ReadAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "messages.txt"), req.HttpContext.RequestAborted);
                    return new OkObjectResult(new { messages });
                }
            }
            """);
        await WriteAsync("Caller.cs", """
            using FunctionApp.Auth;
            using Microsoft.AspNetCore.Http;
            using Microsoft.AspNetCore.Mvc;
            using Microsoft.Azure.Functions.Worker;

            namespace TemplateApp;

            public class Caller
            {
                [Function("me")]
                [RequireAccessToken]
                public IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me")] HttpRequest req, FunctionContext context) =>
                    new OkObjectResult(new { subject = context.GetVerifiedAccessToken().ToClaimsPrincipal().Identity!.Name });
            }
            """);

        var output = Path.Combine(_root, "out");
        await PublishedCopy.DotnetAsync(_root, "build", "-c", "Release", "-o", output, "-nologo", "--disable-build-servers");
        App = await AppFixture.StartAsync(appDirectory: output);
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

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private async Task WriteAsync(string path, string text) => await File.WriteAllTextAsync(Path.Combine(_root, path), text);
}
