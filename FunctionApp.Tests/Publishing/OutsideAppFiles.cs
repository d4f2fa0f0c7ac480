using System.Xml.Linq;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Publishing;

/// <summary>The pieces of a new function app that tests write outside this repository, stated once.</summary>
public static class OutsideAppFiles
{
    /// <summary>PackageReference lines for <paramref name="packages"/>, at the versions the app's project file names, so that they are stated once.</summary>
    public static string PackageReferences(params string[] packages)
    {
        var versions = XDocument.Load(RepositoryFiles.PathOf("FunctionApp/FunctionApp.csproj"))
            .Descendants("PackageReference")
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!);
        return string.Join("\n", packages.Select(p => $"""    <PackageReference Include="{p}" Version="{versions[p]}" />"""));
    }
}
