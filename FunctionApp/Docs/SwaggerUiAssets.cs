using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.IO.Compression;
using Swashbuckle.AspNetCore.SwaggerUI;

namespace FunctionApp.Docs;

/// <summary>The Swagger UI files embedded in Swashbuckle's NuGet package: the docs need no CDN and no internet.</summary>
internal sealed class SwaggerUiAssets
{
    private const string ResourcePrefix = "Swashbuckle.AspNetCore.SwaggerUI.node_modules.swagger_ui_dist.";

    // Only these names are served: the asset name comes from the URL.
    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        ["swagger-ui.css"] = "text/css; charset=utf-8",
        ["swagger-ui-bundle.js"] = "text/javascript; charset=utf-8",
        ["favicon-32x32.png"] = "image/png",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, byte[]> _loaded = new(StringComparer.Ordinal);

    /// <summary>The asset's bytes and content type, or false for a name that is not served.</summary>
    public bool TryGet(string name, out byte[] content, out string contentType)
    {
        if (!ContentTypes.TryGetValue(name, out contentType!))
        {
            content = [];
            return false;
        }

        content = _loaded.GetOrAdd(name, Load);
        return true;
    }

    // The package stores its files gzip-compressed; each is inflated once, on first use.
    private static byte[] Load(string name)
    {
        using var resource = typeof(SwaggerUIOptions).Assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"Swagger UI asset {name} is not embedded in this Swashbuckle version.");
        using var inflated = new GZipStream(resource, CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        inflated.CopyTo(buffer);
        return buffer.ToArray();
    }
}
