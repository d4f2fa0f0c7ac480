using System.Diagnostics;
using System.Text.Json;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Publishing;

/// <summary>
/// A copy of the app in the repository's layout (host.json and a local.settings.json at the root, the project in
/// FunctionApp/), published once with the command docs/deployment.md gives and served by the TestHost from the publish folder.
/// The copy lives under the temp folder so that a root local.settings.json can exist without touching the real
/// repository; it is built from source there, with nothing taken from the real build output.
/// </summary>
public sealed class PublishedCopy : IAsyncLifetime
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "functionapp-publish-" + Guid.NewGuid().ToString("N"));

    public string ProjectDirectory => Path.Combine(Root, "FunctionApp");

    public string PublishDirectory => Path.Combine(Root, "publish");

    /// <summary>The exact text of the root local.settings.json, with a value no other file holds.</summary>
    public string LocalSettingsText { get; } = JsonSerializer.Serialize(new
    {
        IsEncrypted = false,
        Values = new Dictionary<string, string>
        {
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["Auth0__ApiAudience"] = "https://root-settings.test/" + Guid.NewGuid().ToString("N"),
        },
    });

    /// <summary>The published app, served by the TestHost against a local issuer.</summary>
    public AppFixture App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        CopyLayout();
        await File.WriteAllTextAsync(Path.Combine(Root, "local.settings.json"), LocalSettingsText);

        // -c Release and -o as docs/deployment.md says; the copy has never been restored, so this restores (from the local
        // package cache) and builds too.
        await DotnetAsync(Root, "publish", "FunctionApp", "-c", "Release", "-o", PublishDirectory, "-nologo", "--disable-build-servers");

        App = await AppFixture.StartAsync(appDirectory: PublishDirectory);
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    /// <summary>Runs the dotnet CLI and returns its standard output; a failure carries everything it printed.</summary>
    public static async Task<string> DotnetAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"dotnet {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}\n{await errors}");
        }

        return await output;
    }

    /// <summary>
    /// The root files and the projects' sources, without the real build's bin/ and obj/, and without a developer's own
    /// FunctionApp/local.settings.json, which would take precedence over the root file under test.
    /// </summary>
    private void CopyLayout()
    {
        Directory.CreateDirectory(Root);
        // The root files the build reads too: the shared project properties, the SDK pin and the code style.
        foreach (var name in new[] { "host.json", "Directory.Build.props", "global.json", ".editorconfig" })
        {
            File.Copy(RepositoryFiles.PathOf(name), Path.Combine(Root, name));
        }

        // The app and the auth library it references.
        foreach (var project in new[] { "FunctionApp", "FunctionApp.Auth" })
        {
            var source = RepositoryFiles.PathOf(project);
            var skippedFolders = new[] { Path.Combine(source, "bin"), Path.Combine(source, "obj") };
            var skippedFile = Path.Combine(source, "local.settings.json");
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                if (file == skippedFile
                    || skippedFolders.Any(s => file.StartsWith(s + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
                {
                    continue;
                }

                var target = Path.Combine(Root, project, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }
    }
}
