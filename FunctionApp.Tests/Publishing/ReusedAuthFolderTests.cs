using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Publishing;

/// <summary>
/// The README's three steps, done to a new function app outside this repository: the folder FunctionApp/Auth copied
/// in, the packages the README names, one line in Program.cs, one marked function. Built, then run by the TestHost.
/// </summary>
public sealed class ReusedAuthFolder : IAsyncLifetime
{
    private static readonly string[] Packages =
    [
        "Microsoft.Azure.Functions.Worker",
        "Microsoft.Azure.Functions.Worker.Extensions.Http",
        "Microsoft.Azure.Functions.Worker.Sdk",
        "Microsoft.IdentityModel.Protocols.OpenIdConnect",
        "StackExchange.Redis",
        "Azure.Identity",
    ];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "functionapp-reuse-" + Guid.NewGuid().ToString("N"));

    /// <summary>The new app, served by the TestHost against a local issuer.</summary>
    public AppFixture App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        OutsideAppFiles.CopyAuthFolder(_root);
        var references = OutsideAppFiles.PackageReferences(Packages);
        await File.WriteAllTextAsync(Path.Combine(_root, "NewApp.csproj"), $"""
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
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(_root, "host.json"), """{ "version": "2.0" }""");
        await File.WriteAllTextAsync(Path.Combine(_root, "Program.cs"), """
            using FunctionApp.Auth;
            using Microsoft.Azure.Functions.Worker.Builder;
            using Microsoft.Extensions.Hosting;

            var builder = FunctionsApplication.CreateBuilder(args);
            builder.UseAuth0AccessTokens();
            builder.Build().Run();
            """);
        await File.WriteAllTextAsync(Path.Combine(_root, "Messages.cs"), """
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
        await PublishedCopy.DotnetAsync(_root, "build", "-c", "Release", "-o", output, "-nologo", "--disable-build-servers");
        App = await AppFixture.StartAsync(appDirectory: output);
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}

/// <summary>What the new app's marked function answers: the copied folder protects it as it protects this app.</summary>
[Collection(nameof(BuildOutputTests))]
public sealed class ReusedAuthFolderTests(ReusedAuthFolder reused) : IClassFixture<ReusedAuthFolder>
{
    [Fact]
    public async Task The_marked_function_refuses_a_caller_without_a_token()
    {
        using var response = await reused.App.Client.GetAsync("api/messages");

        await ResponseAssert.JsonAsync(response, 403, """{"detail":"Not authenticated"}""");
    }

    [Fact]
    public async Task The_marked_function_refuses_a_token_without_its_permission()
    {
        using var response = await reused.App.GetPrivateAsync("Bearer " + reused.App.Issuer.CreateToken(), "api/messages");

        await ResponseAssert.JsonAsync(response, 403, """{"status":"error","msg":"Insufficient scope"}""");
    }

    [Fact]
    public async Task The_marked_function_answers_a_token_with_its_permission_and_reads_the_caller()
    {
        var token = reused.App.CreateTokenGranting("read:messages");

        using var response = await reused.App.GetPrivateAsync("Bearer " + token, "api/messages");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(reused.App.Issuer.ClientId + "@clients", await response.Content.ReadAsStringAsync());
    }
}
