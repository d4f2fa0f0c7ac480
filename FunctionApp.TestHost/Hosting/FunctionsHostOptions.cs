namespace FunctionApp.TestHost.Hosting;

/// <summary>What to run and how: the function app's folder, its app settings and the HTTP port.</summary>
public sealed class FunctionsHostOptions
{
    /// <summary>A built function app: host.json, worker.config.json and the worker's assemblies.</summary>
    public required string AppDirectory { get; init; }

    /// <summary>App settings, passed to the worker as environment variables as the genuine host does.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>The HTTP port on 127.0.0.1; 0 picks a free one.</summary>
    public int HttpPort { get; init; }

    /// <summary>How long the worker may take from launch to having loaded every function.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a worker asked to leave may take before it is stopped: 5 s, as the genuine host allows.</summary>
    public TimeSpan TerminateGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The folder of the FunctionApp build that this project was built with.</summary>
    public static string DefaultAppDirectory { get; } =
        typeof(FunctionsHostOptions).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>()
            .Single(a => a.Key == "FunctionAppDirectory").Value!;
}
