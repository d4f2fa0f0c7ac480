using System.Xml.Linq;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Publishing;

/// <summary>The pieces of a new function app that tests write outside this repository, stated once.</summary>
public static class OutsideAppFiles
{
    /// <summary>Copies the folder FunctionApp/Auth, as the README's reuse steps say, into <paramref name="directory"/>/Auth.</summary>
    public static void CopyAuthFolder(string directory)
    {
        var target = Path.Combine(directory, "Auth");
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(RepositoryFiles.PathOf("FunctionApp/Auth"), "*.cs"))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
    }

    /// <summary>
    /// Gives the app in <paramref name="directory"/> the auth code as the README's reuse steps do, and returns the
    /// PackageReference lines that code needs beside the worker's own packages: the one place that says how an outside
    /// app gets it.
    /// </summary>
    public static string AddAuthCode(string directory)
    {
        CopyAuthFolder(directory);
        return PackageReferences("Microsoft.IdentityModel.Protocols.OpenIdConnect", "StackExchange.Redis");
    }

    /// <summary>PackageReference lines for <paramref name="packages"/>, at the versions the app's project file names, so that they are stated once.</summary>
    public static string PackageReferences(params string[] packages)
    {
        var versions = XDocument.Load(RepositoryFiles.PathOf("FunctionApp/FunctionApp.csproj"))
            .Descendants("PackageReference")
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!);
        return string.Join("\n", packages.Select(p => $"""    <PackageReference Include="{p}" Version="{versions[p]}" />"""));
    }
}
