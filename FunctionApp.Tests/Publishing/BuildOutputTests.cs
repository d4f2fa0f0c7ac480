using System.Net.Http.Headers;
using System.Text.Json;
using FunctionApp.TestHost.Hosting;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Publishing;

/// <summary>What `dotnet run` and `dotnet publish` make of the repository's layout, as the README describes them.</summary>
[Collection(nameof(BuildOutputTests))]
public sealed class BuildOutputTests(PublishedCopy copy) : IClassFixture<PublishedCopy>
{
    [Fact]
    public async Task Dotnet_run_starts_func_in_a_build_output_that_holds_the_root_local_settings()
    {
        // Builds as `dotnet run -c Release` does and asks MSBuild what it would launch, without launching it. Core
        // Tools is not installed here and Worker.Sdk stops the run when `func --version` fails; a global FuncExists
        // outranks what that check sets. The fixture's publish built for linux-x64 elsewhere: this is the plain build.
        var printed = await PublishedCopy.DotnetAsync(
            copy.Root, "msbuild", "FunctionApp", "-nologo", "-nodeReuse:false", "-p:Configuration=Release", "-p:FuncExists=true",
            "-t:Build;ComputeRunArguments", "-getProperty:RunCommand", "-getProperty:RunArguments", "-getProperty:RunWorkingDirectory");
        using var run = JsonDocument.Parse(printed);
        string Property(string name) => run.RootElement.GetProperty("Properties").GetProperty(name).GetString()!;
        var workingDirectory = Path.GetFullPath(Property("RunWorkingDirectory"), copy.ProjectDirectory);

        Assert.Equal("func", Property("RunCommand"));
        Assert.Equal("start", Property("RunArguments").Trim());
        Assert.Equal(copy.LocalSettingsText, await File.ReadAllTextAsync(Path.Combine(workingDirectory, "local.settings.json")));
    }

    [Fact]
    public void Publish_output_never_holds_local_settings()
    {
        Assert.True(File.Exists(Path.Combine(copy.Root, "local.settings.json")));

        Assert.Empty(Directory.EnumerateFiles(copy.PublishDirectory, "local.settings.json", SearchOption.AllDirectories));
    }

    [Fact]
    public void Publish_output_is_a_complete_function_app()
    {
        var worker = WorkerConfig.Load(copy.PublishDirectory);

        Assert.Equal(RepositoryFiles.Read("host.json"), File.ReadAllText(Path.Combine(copy.PublishDirectory, "host.json")));
        Assert.True(File.Exists(Path.Combine(copy.PublishDirectory, "functions.metadata")));
        Assert.Equal(Path.Combine(copy.PublishDirectory, "FunctionApp.dll"), worker.WorkerPath);
        Assert.True(File.Exists(worker.WorkerPath));
    }

    [Fact]
    public void Publish_output_is_precompiled_with_ReadyToRun()
    {
        using var assembly = File.OpenRead(Path.Combine(copy.PublishDirectory, "FunctionApp.dll"));
        using var reader = new System.Reflection.PortableExecutable.PEReader(assembly);

        // A ReadyToRun image carries native code, announced by its managed native header.
        Assert.True(reader.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0);
    }

    [Fact]
    public void A_build_is_not_precompiled_and_stays_where_func_start_and_the_TestHost_look()
    {
        using var assembly = File.OpenRead(Path.Combine(FunctionsHostOptions.DefaultAppDirectory, "FunctionApp.dll"));
        using var reader = new System.Reflection.PortableExecutable.PEReader(assembly);

        Assert.Equal(0, reader.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size);
    }

    [Fact]
    public async Task Published_app_answers_the_public_endpoint()
    {
        using var response = await copy.App.Client.GetAsync("api/public");

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Published_app_accepts_a_valid_token_on_the_private_endpoint()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/private");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", copy.App.Issuer.CreateToken());

        using var response = await copy.App.Client.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
    }
}

/// <summary>
/// The publish keeps both cores busy for a while; run alone, it cannot starve the tests that give the worker a
/// one-second deadline.
/// </summary>
[CollectionDefinition(nameof(BuildOutputTests), DisableParallelization = true)]
public sealed class BuildOutputTestsRunAlone;
