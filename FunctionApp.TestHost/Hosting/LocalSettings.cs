using System.Text.Json;

namespace FunctionApp.TestHost.Hosting;

/// <summary>Reads the Values of a local.settings.json file, as Core Tools does.</summary>
public static class LocalSettings
{
    public static Dictionary<string, string> Load(string path)
    {
        using var document = JsonDocument.Parse(
            File.ReadAllBytes(path),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (document.RootElement.TryGetProperty("Values", out var settings))
        {
            foreach (var setting in settings.EnumerateObject())
            {
                values[setting.Name] = setting.Value.ValueKind == JsonValueKind.String
                    ? setting.Value.GetString()!
                    : setting.Value.GetRawText();
            }
        }

        return values;
    }
}
