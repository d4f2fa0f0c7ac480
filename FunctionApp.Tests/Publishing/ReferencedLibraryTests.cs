using FunctionApp.TestHost;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Publishing;

/// <summary>
/// A function app outside this repository whose functions live partly in a class library it references: the auth code
/// in a library of its own, a marked and an unmarked function in another, an unmarked function in the app itself.
/// Built once, then served by the TestHost twice: as the settings leave it, and with tokens required by default.
/// </summary>
public sealed class ReferencedLibraryApp : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "functionapp-library-" + Guid.NewGuid().ToString("N"));

    /// <summary>The build output: what <c>demo --app</c> serves.</summary>
    public string Output => Path.Combine(_root, "out");

    /// <summary>Only the functions marked [RequireAccessToken] need a token.</summary>
    public AppFixture ByMark { get; private set; } = null!;

    /// <summary>Every HTTP function needs a token (Auth0__RequireAccessTokenByDefault=true).</summary>
    public AppFixture ByDefault { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        OutsideAppFiles.CopyAuthFolder(Path.Combine(_root, "AuthLibrary"));
        await WriteAsync("AuthLibrary/AuthLibrary.csproj", Project("Library", OutsideAppFiles.PackageReferences(
            "Microsoft.Azure.Functions.Worker", "Microsoft.Azure.Functions.Worker.Extensions.Http", "Microsoft.IdentityModel.Protocols.OpenIdConnect", "StackExchange.Redis",
            "Azure.Identity"), []));
        await WriteAsync("Messages/Messages.csproj", Project("Library", OutsideAppFiles.PackageReferences(
            "Microsoft.Azure.Functions.Worker", "Microsoft.Azure.Functions.Worker.Extensions.Http"), ["../AuthLibrary/AuthLibrary.csproj"]));
        await WriteAsync("Messages/MessageFunctions.cs", """
            using System.Net;
            using FunctionApp.Auth;
            using Microsoft.Azure.Functions.Worker;
            using Microsoft.Azure.Functions.Worker.Http;

            namespace Messages;

            public static class MessageFunctions
            {
                [Function("messages")]
                [RequireAccessToken("read:messages")]
                public static async Task<HttpResponseData> Run(
                    [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "messages")] HttpRequestData request)
                {
                    var response = request.CreateResponse(HttpStatusCode.OK);
                    await response.WriteStringAsync("secret data");
                    return response;
                }

                [Function("notes")]
                public static async Task<HttpResponseData> Notes(
                    [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "notes")] HttpRequestData request)
                {
                    var response = request.CreateResponse(HttpStatusCode.OK);
                    await response.WriteStringAsync("library notes");
                    return response;
                }
            }
            """);
        await WriteAsync("App/App.csproj", Project(
            "Exe",
            OutsideAppFiles.PackageReferences("Microsoft.Azure.Functions.Worker", "Microsoft.Azure.Functions.Worker.Extensions.Http", "Microsoft.Azure.Functions.Worker.Sdk"),
            ["../AuthLibrary/AuthLibrary.csproj", "../Messages/Messages.csproj"]));
        await WriteAsync("App/Program.cs", """
            using FunctionApp.Auth;
            using Microsoft.Azure.Functions.Worker.Builder;
            using Microsoft.Extensions.Hosting;

            var builder = FunctionsApplication.CreateBuilder(args);
            builder.UseAuth0AccessTokens();
            builder.Build().Run();
            """);
        await WriteAsync("App/Hello.cs", """
            using System.Net;
            using Microsoft.Azure.Functions.Worker;
            using Microsoft.Azure.Functions.Worker.Http;

            public static class Hello
            {
                [Function("hello")]
                public static async Task<HttpResponseData> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "hello")] HttpRequestData request)
                {
                    var response = request.CreateResponse(HttpStatusCode.OK);
                    await response.WriteStringAsync("hello");
                    return response;
                }
            }
            """);
        await WriteAsync("App/host.json", """{ "version": "2.0" }""");

        await PublishedCopy.DotnetAsync(Path.Combine(_root, "App"), "build", "-c", "Release", "-o", Output, "-nologo", "--disable-build-servers");
        ByMark = await AppFixture.StartAsync(appDirectory: Output);
        ByDefault = await AppFixture.StartAsync(settings => settings["Auth0__RequireAccessTokenByDefault"] = "true", appDirectory: Output);
    }

    public async Task DisposeAsync()
    {
        foreach (var app in new[] { ByMark, ByDefault })
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

    private static string Project(string outputType, string packages, string[] projects) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            {(outputType == "Exe" ? "<OutputType>Exe</OutputType><AzureFunctionsVersion>v4</AzureFunctionsVersion>" : string.Empty)}
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
          </PropertyGroup>
          <ItemGroup>
        {packages}
        {string.Join("\n", projects.Select(p => $"""    <ProjectReference Include="{p}" />"""))}
          </ItemGroup>
        </Project>
        """;

    private async Task WriteAsync(string path, string text)
    {
        var file = Path.Combine(_root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, text);
    }
}

/// <summary>A function is protected as its own declaration says, in whichever of the app's assemblies it lives.</summary>
[Collection(nameof(BuildOutputTests))]
public sealed class ReferencedLibraryTests(ReferencedLibraryApp library) : IClassFixture<ReferencedLibraryApp>
{
    [Fact]
    public async Task A_marked_function_in_a_referenced_library_refuses_a_caller_without_a_token()
    {
        using var response = await library.ByMark.Client.GetAsync("api/messages");

        await ResponseAssert.JsonAsync(response, 403, """{"detail":"Not authenticated"}""");
    }

    [Fact]
    public async Task A_marked_function_in_a_referenced_library_refuses_a_token_without_its_permission()
    {
        using var response = await library.ByMark.GetPrivateAsync("Bearer " + library.ByMark.Issuer.CreateToken(), "api/messages");

        await ResponseAssert.JsonAsync(response, 403, """{"status":"error","msg":"Insufficient scope"}""");
    }

    [Fact]
    public async Task A_marked_function_in_a_referenced_library_answers_a_token_with_its_permission()
    {
        using var response = await library.ByMark.GetPrivateAsync("Bearer " + library.ByMark.CreateTokenGranting("read:messages"), "api/messages");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("secret data", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("api/hello", "hello")]
    [InlineData("api/notes", "library notes")]
    public async Task Unmarked_functions_answer_anyone_when_only_marks_require_tokens(string path, string body)
    {
        using var response = await library.ByMark.Client.GetAsync(path);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("api/hello")]
    [InlineData("api/notes")]
    public async Task Unmarked_functions_in_the_app_and_its_library_refuse_a_caller_without_a_token_when_tokens_are_required_by_default(string path)
    {
        using var response = await library.ByDefault.Client.GetAsync(path);

        await ResponseAssert.JsonAsync(response, 403, """{"detail":"Not authenticated"}""");
    }

    [Theory]
    [InlineData("api/hello", "hello")]
    [InlineData("api/notes", "library notes")]
    public async Task Unmarked_functions_answer_a_valid_token_when_tokens_are_required_by_default(string path, string body)
    {
        using var response = await library.ByDefault.GetPrivateAsync("Bearer " + library.ByDefault.Issuer.CreateToken(), path);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_demo_serves_the_app_folder_given_with_app_and_its_printed_commands_work()
    {
        var logs = new CapturedLogs();
        using var loggers = logs.CreateFactory();
        using var stop = new CancellationTokenSource();
        var output = new DemoInstructions();
        var demo = Demo.RunAsync(settingsPath: null, port: 0, issuers: 1, loggers, output, stop.Token, appDirectory: library.Output);
        var lines = await output.LinesAsync();

        var token = lines.Single(l => l.StartsWith("TOKEN=", StringComparison.Ordinal));
        var anonymous = await DemoInstructions.BashAsync(lines.Single(l => l.StartsWith("curl -i", StringComparison.Ordinal) && l.EndsWith("api/messages", StringComparison.Ordinal)));
        var withToken = await DemoInstructions.BashAsync(token + "\n" + lines.Single(l => l.Contains("api/messages -H", StringComparison.Ordinal)));
        await stop.CancelAsync();

        Assert.StartsWith("HTTP/1.1 403", anonymous, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200", withToken, StringComparison.Ordinal);
        Assert.EndsWith("secret data", withToken, StringComparison.Ordinal);
        Assert.Equal(0, await demo.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
