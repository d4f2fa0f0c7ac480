using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Publishing;

/// <summary>
/// The reuse steps, done to a new function app outside this repository: the auth library installed as a package
/// from a local feed that `dotnet pack` filled, one line in Program.cs, one marked function. Built, then run by the
/// TestHost.
/// </summary>
public sealed class PackageConsumerApp : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "functionapp-package-" + Guid.NewGuid().ToString("N"));

    private AuthPackageFeed? _feed;

    /// <summary>The new app, served by the TestHost against a local issuer.</summary>
    public AppFixture App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var app = Path.Combine(_root, "NewApp");
        Directory.CreateDirectory(app);
        _feed = await AuthPackageFeed.PackAsync(Path.Combine(_root, "feed"));
        var references = OutsideAppFiles.PackageReferences(
            "Microsoft.Azure.Functions.Worker", "Microsoft.Azure.Functions.Worker.Extensions.Http", "Microsoft.Azure.Functions.Worker.Sdk");
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), _feed.NuGetConfig);
        await File.WriteAllTextAsync(Path.Combine(app, "NewApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <AzureFunctionsVersion>v4</AzureFunctionsVersion>
                <OutputType>Exe</OutputType>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
            {references}
            {_feed.PackageReference}
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "host.json"), """{ "version": "2.0" }""");
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
            using FunctionApp.Auth;
            using Microsoft.Azure.Functions.Worker.Builder;
            using Microsoft.Extensions.Hosting;

            var builder = FunctionsApplication.CreateBuilder(args);
            builder.UseAuth0AccessTokens();
            builder.Build().Run();
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Messages.cs"), """
            using System.Net;
            using FunctionApp.Auth;
            using Microsoft.Azure.Functions.Worker;
            using Microsoft.Azure.Functions.Worker.Http;

            public static class Messages
            {
                [Function("messages")]
                [RequireAccessToken("read:messages")]
                public static async Task<HttpResponseData> Run(
                    [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "messages")] HttpRequestData request,
                    FunctionContext context)
                {
                    var response = request.CreateResponse(HttpStatusCode.OK);
                    await response.WriteStringAsync(context.GetVerifiedAccessToken().ToClaimsPrincipal().Identity!.Name!);
                    return response;
                }
            }
            """);

        var output = Path.Combine(_root, "out");
        await PublishedCopy.DotnetAsync(app, "build", "-c", "Release", "-o", output, "-nologo", "--disable-build-servers");
        App = await AppFixture.StartAsync(appDirectory: output);
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        _feed?.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}

/// <summary>What the new app's marked function answers: the package protects it as the library protects this app.</summary>
[Collection(nameof(BuildOutputTests))]
public sealed class AuthPackageTests(PackageConsumerApp consumer) : IClassFixture<PackageConsumerApp>
{
    [Fact]
    public async Task The_marked_function_refuses_a_caller_without_a_token()
    {
        using var response = await consumer.App.Client.GetAsync("api/messages");

        await ResponseAssert.JsonAsync(response, 403, """{"detail":"Not authenticated"}""");
    }

    [Fact]
    public async Task The_marked_function_refuses_a_token_without_its_permission()
    {
        using var response = await consumer.App.GetPrivateAsync("Bearer " + consumer.App.Issuer.CreateToken(), "api/messages");

        await ResponseAssert.JsonAsync(response, 403, """{"status":"error","msg":"Insufficient scope"}""");
    }

    [Fact]
    public async Task The_marked_function_answers_a_token_with_its_permission_and_reads_the_caller()
    {
        var token = consumer.App.CreateTokenGranting("read:messages");

        using var response = await consumer.App.GetPrivateAsync("Bearer " + token, "api/messages");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(consumer.App.Issuer.ClientId + "@clients", await response.Content.ReadAsStringAsync());
    }
}
