using System.Collections.Frozen;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Auth;

/// <summary>
/// The functions marked <see cref="RequireAccessTokenAttribute"/>, read once at start-up. A mark the middleware could
/// not honour stops start-up instead of leaving a silent hole.
/// </summary>
internal sealed class ProtectedFunctions
{
    private readonly FrozenDictionary<string, AccessRequirement> _requirements;

    public ProtectedFunctions(IEnumerable<Type> types)
    {
        ArgumentNullException.ThrowIfNull(types);
        _requirements = types
            .SelectMany(type => type.GetMethods())
            .Select(Read)
            .OfType<KeyValuePair<string, AccessRequirement>>()
            .ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>What the function requires, or false for a function anyone may call.</summary>
    public bool TryGetRequirement(string functionName, out AccessRequirement requirement) =>
        _requirements.TryGetValue(functionName, out requirement!);

    private static KeyValuePair<string, AccessRequirement>? Read(MethodInfo method)
    {
        var mark = method.GetCustomAttribute<RequireAccessTokenAttribute>();
        if (mark is null)
        {
            return null;
        }

        var name = method.GetCustomAttribute<FunctionAttribute>()?.Name
            ?? throw new InvalidOperationException($"{method.DeclaringType?.Name}.{method.Name} is marked [RequireAccessToken] but is not a function.");
        if (!method.GetParameters().Any(p => p.GetCustomAttribute<HttpTriggerAttribute>() is not null))
        {
            throw new InvalidOperationException($"Function '{name}' is marked [RequireAccessToken] but is not HTTP-triggered.");
        }

        // The rejection is sent as the invocation's result; a response that is one output among several would leave the
        // other outputs unset, so such a function cannot be protected this way.
        if (!ReturnsHttpResponse(method.ReturnType))
        {
            throw new InvalidOperationException(
                $"Function '{name}' is marked [RequireAccessToken] but does not return HttpResponseData (or a Task or ValueTask of it), "
                + "so a rejection could not be its answer.");
        }

        if (mark.Permissions.Any(p => string.IsNullOrWhiteSpace(p) || p.Contains(' ', StringComparison.Ordinal) || p.Contains('"', StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"Function '{name}' requires a permission that is empty or contains a space or a quote.");
        }

        return new(name, new AccessRequirement(mark.Permissions));
    }

    private static bool ReturnsHttpResponse(Type returnType) =>
        returnType == typeof(HttpResponseData)
        || (returnType.IsGenericType
            && (returnType.GetGenericTypeDefinition() == typeof(Task<>) || returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
            && returnType.GetGenericArguments()[0] == typeof(HttpResponseData));
}
