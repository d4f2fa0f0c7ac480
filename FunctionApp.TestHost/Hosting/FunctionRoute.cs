using System.Text.Json;
using FunctionApp.TestHost.Rpc;

namespace FunctionApp.TestHost.Hosting;

/// <summary>One HTTP-triggered function's route, built from the rawBindings the worker reported.</summary>
public sealed class FunctionRoute
{
    private readonly string[] _segments;
    private readonly HashSet<string>? _methods;

    private FunctionRoute(string functionId, string name, string triggerName, string template, HashSet<string>? methods)
    {
        FunctionId = functionId;
        Name = name;
        TriggerName = triggerName;
        Template = template;
        _segments = template.Split('/', StringSplitOptions.RemoveEmptyEntries);
        _methods = methods;
    }

    public string FunctionId { get; }

    public string Name { get; }

    /// <summary>The trigger binding's name: the InvocationRequest carries the request under it.</summary>
    public string TriggerName { get; }

    /// <summary>The full route template, prefix included, without leading slash.</summary>
    public string Template { get; }

    /// <summary>The route as a path, as the host prints it when it starts: /api/private.</summary>
    public override string ToString() => "/" + Template;

    /// <summary>The route of an HTTP-triggered function, or null for any other function.</summary>
    public static FunctionRoute? From(RpcFunctionMetadata function, string routePrefix)
    {
        ArgumentNullException.ThrowIfNull(function);
        foreach (var raw in function.RawBindings)
        {
            using var binding = JsonDocument.Parse(raw);
            var root = binding.RootElement;
            if (!root.TryGetProperty("type", out var type)
                || !string.Equals(type.GetString(), "httpTrigger", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var route = root.TryGetProperty("route", out var r) && r.GetString() is { Length: > 0 } value ? value : function.Name;
            HashSet<string>? methods = null;
            if (root.TryGetProperty("methods", out var m) && m.ValueKind == JsonValueKind.Array)
            {
                methods = m.EnumerateArray().Select(x => x.GetString()!).ToHashSet(StringComparer.OrdinalIgnoreCase);
            }

            var template = string.IsNullOrEmpty(routePrefix) ? route.Trim('/') : routePrefix + "/" + route.Trim('/');
            return new FunctionRoute(function.FunctionId, function.Name, root.GetProperty("name").GetString()!, template, methods);
        }

        return null;
    }

    /// <summary>Matches case-insensitively, with an optional trailing slash, as the genuine host does.</summary>
    public bool TryMatch(string method, string path, out Dictionary<string, string> routeValues)
    {
        routeValues = [];
        if (_methods is not null && !_methods.Contains(method))
        {
            return false;
        }

        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != _segments.Length)
        {
            return false;
        }

        for (var i = 0; i < parts.Length; i++)
        {
            var segment = _segments[i];
            if (segment.StartsWith('{') && segment.EndsWith('}'))
            {
                routeValues[segment[1..^1].Split(':')[0].TrimEnd('?')] = Uri.UnescapeDataString(parts[i]);
            }
            else if (!string.Equals(segment, parts[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }
}
