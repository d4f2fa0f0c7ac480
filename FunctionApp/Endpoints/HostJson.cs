using System.Text.Json;

namespace FunctionApp.Endpoints;

/// <summary>Reads the HTTP route prefix from the host.json that sits beside the worker, as the host applies it.</summary>
public static class HostJson
{
    private const string DefaultRoutePrefix = "api";

    public static string ReadRoutePrefix(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "host.json");
        if (!File.Exists(path))
        {
            return DefaultRoutePrefix;
        }

        using var host = JsonDocument.Parse(
            File.ReadAllBytes(path),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return host.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var prefix)
            ? prefix.GetString() ?? string.Empty
            : DefaultRoutePrefix;
    }
}
