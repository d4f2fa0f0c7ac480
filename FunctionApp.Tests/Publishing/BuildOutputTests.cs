using System.Net.Http.Headers;
using FunctionApp.TestHost.Hosting;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Publishing;

/// <summary>What `dotnet run` and `dotnet publish` make of the repository's layout, as the README describes them.</summary>
[Collection(nameof(BuildOutputTests))]
public sealed class BuildOutputTests(PublishedCopy copy) : IClassFixture<PublishedCopy>
{
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Dotnet_run_from_the_root_runs_func_start_in_the_build_output()
    {
        var start = await FuncStandIn.DotnetRunAsync(copy.Root, "--project", "FunctionApp", "--", "--port", "7099");

        AssertFuncStartInTheBuildOutput(start);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Dotnet_run_from_the_project_folder_runs_func_start_in_the_build_output()
    {
        var start = await FuncStandIn.DotnetRunAsync(copy.ProjectDirectory, "--", "--port", "7099");

        AssertFuncStartInTheBuildOutput(start);
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

    /// <summary>
    /// `func start` with the arguments given after `--`, in the Debug build output: the folder that holds the app and
    /// the root local.settings.json, which Core Tools reads from its working directory.
    /// </summary>
    private void AssertFuncStartInTheBuildOutput(FuncStandIn.Start start)
    {
        var buildOutput = Path.Combine(copy.ProjectDirectory, "bin", "Debug", "net10.0");

        Assert.Equal(buildOutput, start.WorkingDirectory);
        Assert.True(File.Exists(Path.Combine(buildOutput, "FunctionApp.dll")));
        Assert.True(File.Exists(Path.Combine(buildOutput, "functions.metadata")));
        Assert.True(start.LocalSettingsBeside);
        Assert.Equal(copy.LocalSettingsText, File.ReadAllText(Path.Combine(buildOutput, "local.settings.json")));
        Assert.Equal(["start", "--port", "7099"], start.Arguments);
    }
}

/// <summary>
/// The publish keeps both cores busy for a while; run alone, it cannot starve the tests that give the worker a
/// one-second deadline.
/// </summary>
[CollectionDefinition(nameof(BuildOutputTests), DisableParallelization = true)]
public sealed class BuildOutputTestsRunAlone;
