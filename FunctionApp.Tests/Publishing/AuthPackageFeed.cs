using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Publishing;

/// <summary>
/// The auth library packed with <c>dotnet pack</c> into a folder that a new app outside this repository uses as a
/// package source, as a user's app uses the published package. Each feed packs its own version, so that NuGet's
/// package cache never serves an older build; disposing removes that version from the cache again.
/// </summary>
public sealed class AuthPackageFeed : IDisposable
{
    /// <summary>The package's id.</summary>
    public const string PackageId = "FunctionApp.Auth";

    private AuthPackageFeed(string directory, string version)
    {
        Directory = directory;
        Version = version;
    }

    /// <summary>The folder holding the .nupkg.</summary>
    public string Directory { get; }

    /// <summary>The version packed: unique to this feed.</summary>
    public string Version { get; }

    /// <summary>The PackageReference line that installs the package.</summary>
    public string PackageReference => $"""    <PackageReference Include="{PackageId}" Version="{Version}" />""";

    /// <summary>Packs the library into <paramref name="directory"/>.</summary>
    public static async Task<AuthPackageFeed> PackAsync(string directory)
    {
        var version = "1.0.0-test." + Guid.NewGuid().ToString("N");
        await PublishedCopy.DotnetAsync(
            RepositoryFiles.PathOf("."), "pack", "FunctionApp.Auth", "-c", "Release", "-o", directory, "-p:Version=" + version, "-nologo", "--disable-build-servers");
        return new AuthPackageFeed(directory, version);
    }

    /// <summary>A nuget.config that adds this feed to the machine's package sources.</summary>
    public string NuGetConfig => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <add key="auth-package-feed" value="{Directory}" />
          </packageSources>
        </configuration>
        """;

    public void Dispose() => ForgetInstalled(Version);

    /// <summary>Removes <paramref name="version"/> of the package from NuGet's package cache, where a restore installed it.</summary>
    public static void ForgetInstalled(string version)
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var installed = Path.Combine(cache, PackageId.ToLowerInvariant(), version);
        if (System.IO.Directory.Exists(installed))
        {
            System.IO.Directory.Delete(installed, recursive: true);
        }
    }
}
