using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Auth;

/// <summary>
/// Who may call each function, read from the function's own declaration (its entry point in its own assembly, wherever
/// that is) once and then kept. A declaration that cannot be read or honoured refuses every call instead of leaving a
/// silent hole.
/// </summary>
internal sealed class ProtectedFunctions
{
    private const string AspNetCoreActionResult = "Microsoft.AspNetCore.Mvc.IActionResult";
    private const string AspNetCoreResult = "Microsoft.AspNetCore.Http.IResult";

    private readonly bool _requireByDefault;
    private readonly ConcurrentDictionary<string, FunctionAccess> _byFunctionId = new(StringComparer.Ordinal);

    public ProtectedFunctions(bool requireByDefault) => _requireByDefault = requireByDefault;

    /// <summary>Who may call the function being invoked, read on its first invocation.</summary>
    public FunctionAccess Resolve(FunctionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return _byFunctionId.GetOrAdd(
            definition.Id,
            static (_, state) => state.Functions.Resolve(state.Definition.Name, state.Definition.EntryPoint, state.Definition.PathToAssembly),
            (Functions: this, Definition: definition));
    }

    /// <summary>Who may call the function at <paramref name="entryPoint"/> (<c>Namespace.Type.Method</c>) in the assembly at <paramref name="pathToAssembly"/>.</summary>
    public FunctionAccess Resolve(string name, string entryPoint, string pathToAssembly)
    {
        MethodInfo method;
        try
        {
            method = Locate(entryPoint, pathToAssembly);
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or ArgumentException or InvalidOperationException
            or AmbiguousMatchException or TypeLoadException)
        {
            return FunctionAccess.Refused($"Function '{name}': its method {entryPoint} could not be read from {pathToAssembly}: {e.Message}");
        }

        try
        {
            return Read(method, name);
        }
        catch (InvalidOperationException e)
        {
            return FunctionAccess.Refused(e.Message);
        }
    }

    /// <summary>
    /// Who may call the function <paramref name="method"/> declares; throws, naming the function, for a declaration the
    /// middleware could not honour.
    /// </summary>
    public FunctionAccess Read(MethodInfo method, string name)
    {
        ArgumentNullException.ThrowIfNull(method);
        var mark = method.GetCustomAttribute<RequireAccessTokenAttribute>();
        var anonymous = method.GetCustomAttribute<AllowAnonymousAccessAttribute>() is not null;
        if (mark is not null && anonymous)
        {
            throw new InvalidOperationException($"Function '{name}' is marked both [RequireAccessToken] and [AllowAnonymousAccess].");
        }

        var httpTriggered = method.GetParameters().Any(p => p.GetCustomAttribute<HttpTriggerAttribute>() is not null);
        if (anonymous || (mark is null && !(_requireByDefault && httpTriggered)))
        {
            return FunctionAccess.Anonymous;
        }

        var why = mark is null ? "requires a token by default (Auth0__RequireAccessTokenByDefault)" : "is marked [RequireAccessToken]";
        if (!httpTriggered)
        {
            throw new InvalidOperationException($"Function '{name}' is marked [RequireAccessToken] but is not HTTP-triggered.");
        }

        // The rejection is sent as the invocation's result; a response that is one output among several would leave the
        // other outputs unset, so such a function cannot be protected this way.
        if (!ReturnsHttpResponse(method.ReturnType))
        {
            throw new InvalidOperationException(
                $"Function '{name}' {why} but does not return HttpResponseData, IActionResult or IResult (or a Task or ValueTask of one), "
                + "so a rejection could not be its answer; mark it [AllowAnonymousAccess] if anyone may call it.");
        }

        var permissions = mark?.Permissions ?? [];
        if (permissions.Any(p => string.IsNullOrWhiteSpace(p) || p.Contains(' ', StringComparison.Ordinal) || p.Contains('"', StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"Function '{name}' requires a permission that is empty or contains a space or a quote.");
        }

        return FunctionAccess.Protected(new AccessRequirement(permissions));
    }

    // As the worker finds the method it invokes: the assembly by its path, the type by its full name, the public method by
    // its name, so that the declaration read is the one that runs.
    private static MethodInfo Locate(string entryPoint, string pathToAssembly)
    {
        var dot = entryPoint.LastIndexOf('.');
        if (dot <= 0 || dot == entryPoint.Length - 1)
        {
            throw new InvalidOperationException("The entry point is not of the form Namespace.Type.Method.");
        }

        var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.GetFullPath(pathToAssembly));
        var type = assembly.GetType(entryPoint[..dot], throwOnError: true)!;
        return type.GetMethod(entryPoint[(dot + 1)..])
            ?? throw new InvalidOperationException("The entry point names no public method.");
    }

    private static bool ReturnsHttpResponse(Type returnType)
    {
        var answer = returnType.IsGenericType
            && (returnType.GetGenericTypeDefinition() == typeof(Task<>) || returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
            ? returnType.GetGenericArguments()[0]
            : returnType;
        // Under ASP.NET Core integration a rejection is written to the request's own response whatever the function
        // returns, and the worker sends an IActionResult or IResult as the only answer; by name, so that this code
        // needs no ASP.NET Core reference of its own.
        return answer == typeof(HttpResponseData)
            || new[] { answer }.Concat(answer.GetInterfaces()).Any(t => t.FullName is AspNetCoreActionResult or AspNetCoreResult);
    }
}
