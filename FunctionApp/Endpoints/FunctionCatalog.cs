using System.Collections.Frozen;
using System.ComponentModel;
using System.Reflection;
using FunctionApp.Auth;
using Microsoft.Azure.Functions.Worker;

namespace FunctionApp.Endpoints;

/// <summary>
/// The app's HTTP functions, read from their declarations once at start-up: the one source for the middleware
/// (what each function requires) and for the API docs (what each function offers).
/// </summary>
public sealed class FunctionCatalog
{
    private readonly FrozenDictionary<string, AccessRequirement> _requirements;

    public FunctionCatalog(Assembly functionsAssembly, string routePrefix)
    {
        ArgumentNullException.ThrowIfNull(functionsAssembly);
        ArgumentNullException.ThrowIfNull(routePrefix);
        RoutePrefix = routePrefix.Trim('/');
        Endpoints = functionsAssembly.GetTypes()
            .SelectMany(type => type.GetMethods())
            .Select(method => Describe(method, routePrefix))
            .OfType<FunctionEndpoint>()
            .OrderBy(endpoint => endpoint.Path, StringComparer.Ordinal)
            .ToArray();
        _requirements = Endpoints
            .Where(endpoint => endpoint.Requirement is not null)
            .ToFrozenDictionary(endpoint => endpoint.Name, endpoint => endpoint.Requirement!, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The host's HTTP route prefix, without slashes ("api" by default).</summary>
    public string RoutePrefix { get; }

    public IReadOnlyList<FunctionEndpoint> Endpoints { get; }

    /// <summary>What the function requires, or false for a function anyone may call.</summary>
    public bool TryGetRequirement(string functionName, out AccessRequirement requirement) =>
        _requirements.TryGetValue(functionName, out requirement!);

    private static FunctionEndpoint? Describe(MethodInfo method, string routePrefix)
    {
        var function = method.GetCustomAttribute<FunctionAttribute>();
        if (function is null)
        {
            return null;
        }

        var mark = method.GetCustomAttribute<RequireAccessTokenAttribute>();
        var trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).OfType<HttpTriggerAttribute>().SingleOrDefault();
        if (trigger is null)
        {
            // A mark the middleware would never act on is a silent hole: refuse to start instead.
            return mark is null
                ? null
                : throw new InvalidOperationException($"Function '{function.Name}' is marked [RequireAccessToken] but is not HTTP-triggered.");
        }

        if (mark is not null && mark.Permissions.Any(p => string.IsNullOrWhiteSpace(p) || p.Contains(' ', StringComparison.Ordinal) || p.Contains('"', StringComparison.Ordinal)))
        {
            throw new InvalidOperationException(
                $"Function '{function.Name}' requires a permission that is empty or contains a space or a quote.");
        }

        var route = (trigger.Route ?? function.Name).Trim('/');
        return new FunctionEndpoint(
            function.Name,
            "/" + string.Join('/', new[] { routePrefix.Trim('/'), route }.Where(part => part.Length > 0)),
            trigger.Methods?.Select(m => m.ToLowerInvariant()).ToArray() ?? ["get", "post", "put", "patch", "delete"],
            method.GetCustomAttribute<DescriptionAttribute>()?.Description ?? function.Name,
            mark is null ? null : new AccessRequirement(mark.Permissions),
            method.GetCustomAttribute<ResponseBodyAttribute>()?.BodyType,
            method.GetCustomAttribute<ExcludeFromApiDocsAttribute>() is null);
    }
}
