using System.Text.Json;

namespace FunctionApp.TestHost.Hosting;

/// <summary>The parts of a function app's worker.config.json and host.json that decide how the host runs it.</summary>
public sealed record WorkerConfig(string Executable, string WorkerPath, string RoutePrefix)
{
    public static WorkerConfig Load(string appDirectory)
    {
        using var worker = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(appDirectory, "worker.config.json")));
        var description = worker.RootElement.GetProperty("description");
        var executable = description.GetProperty("defaultExecutablePath").GetString()!;
        var workerPath = Path.Combine(appDirectory, description.GetProperty("defaultWorkerPath").GetString()!);

        using var host = JsonDocument.Parse(
            File.ReadAllBytes(Path.Combine(appDirectory, "host.json")),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var prefix = "api";
        if (host.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var routePrefix))
        {
            prefix = routePrefix.GetString() ?? string.Empty;
        }

        return new WorkerConfig(executable, workerPath, prefix.Trim('/'));
    }
}
