using System.ComponentModel;
using System.Reflection;
using FunctionApp.Auth;
using Microsoft.Azure.Functions.Worker;

namespace FunctionApp.Docs;

/// <summary>The app's HTTP functions, read from their declarations once: what the API docs describe.</summary>
internal sealed class FunctionCatalog
{
    // What the host accepts for an HTTP trigger that names no methods: any of them.
    private static readonly string[] AnyMethod = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    public FunctionCatalog(IEnumerable<Type> types)
    {
        ArgumentNullException.ThrowIfNull(types);
        Endpoints = types
            .SelectMany(type => type.GetMethods())
            .Select(Describe)
            .OfType<FunctionEndpoint>()
            .OrderBy(endpoint => endpoint.Route, StringComparer.Ordinal)
            .ToArray();
    }

    public IReadOnlyList<FunctionEndpoint> Endpoints { get; }

    private static FunctionEndpoint? Describe(MethodInfo method)
    {
        var function = method.GetCustomAttribute<FunctionAttribute>();
        var trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).OfType<HttpTriggerAttribute>().SingleOrDefault();
        if (function is null || trigger is null)
        {
            return null;
        }

        return new FunctionEndpoint(
            function.Name,
            (trigger.Route ?? function.Name).Trim('/'),
            trigger.Methods is { Length: > 0 } methods ? methods.Select(m => m.ToLowerInvariant()).ToArray() : AnyMethod,
            method.GetCustomAttribute<DescriptionAttribute>()?.Description ?? function.Name,
            method.GetCustomAttribute<RequireAccessTokenAttribute>()?.Permissions,
            method.GetCustomAttribute<ResponseBodyAttribute>()?.BodyType,
            method.GetCustomAttribute<ExcludeFromApiDocsAttribute>() is null);
    }
}
