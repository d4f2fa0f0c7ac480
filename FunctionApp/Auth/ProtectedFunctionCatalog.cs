using System.Collections.Frozen;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace FunctionApp.Auth;

/// <summary>The names of the functions marked with <see cref="RequireAccessTokenAttribute"/>, read once at start-up.</summary>
public sealed class ProtectedFunctionCatalog
{
    private readonly FrozenSet<string> _protected;

    public ProtectedFunctionCatalog(Assembly functionsAssembly)
    {
        ArgumentNullException.ThrowIfNull(functionsAssembly);
        var names = new List<string>();
        foreach (var method in functionsAssembly.GetTypes().SelectMany(t => t.GetMethods()))
        {
            var function = method.GetCustomAttribute<FunctionAttribute>();
            if (function is null || method.GetCustomAttribute<RequireAccessTokenAttribute>() is null)
            {
                continue;
            }

            // A mark the middleware would never act on is a silent hole: refuse to start instead.
            if (!method.GetParameters().Any(p => p.GetCustomAttribute<HttpTriggerAttribute>() is not null))
            {
                throw new InvalidOperationException(
                    $"Function '{function.Name}' is marked [RequireAccessToken] but is not HTTP-triggered.");
            }

            names.Add(function.Name);
        }

        _protected = names.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }

    public bool IsProtected(string functionName) => _protected.Contains(functionName);
}
