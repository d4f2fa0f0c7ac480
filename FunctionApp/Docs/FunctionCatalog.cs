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

    /// <summary>
    /// The functions <paramref name="types"/> declare; which of them need a token is <paramref name="access"/>'s answer,
    /// so that the docs say what the middleware enforces (without it, the marks alone).
    /// </summary>
    public FunctionCatalog(IEnumerable<Type> types, ProtectedFunctions? access = null)
    {
        ArgumentNullException.ThrowIfNull(types);
        var functions = access ?? new ProtectedFunctions(requireByDefault: false);
        Endpoints = types
            .SelectMany(type => type.GetMethods())
            .Select(method => Describe(method, functions))
            .OfType<FunctionEndpoint>()
            .OrderBy(endpoint => endpoint.Route, StringComparer.Ordinal)
            .ToArray();
    }

    public IReadOnlyList<FunctionEndpoint> Endpoints { get; }

    private static FunctionEndpoint? Describe(MethodInfo method, ProtectedFunctions access)
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
            access.Read(method, function.Name).Requirement?.Permissions,
            method.GetCustomAttribute<ResponseBodyAttribute>()?.BodyType,
            method.GetCustomAttribute<ExcludeFromApiDocsAttribute>() is null);
    }
}
