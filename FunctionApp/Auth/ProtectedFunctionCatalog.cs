using System.Collections.Frozen;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace FunctionApp.Auth;

/// <summary>The functions marked with <see cref="RequireAccessTokenAttribute"/> and what each requires, read once at start-up.</summary>
public sealed class ProtectedFunctionCatalog
{
    private readonly FrozenDictionary<string, AccessRequirement> _requirements;

    public ProtectedFunctionCatalog(Assembly functionsAssembly)
    {
        ArgumentNullException.ThrowIfNull(functionsAssembly);
        var requirements = new Dictionary<string, AccessRequirement>(StringComparer.OrdinalIgnoreCase);
        foreach (var method in functionsAssembly.GetTypes().SelectMany(t => t.GetMethods()))
        {
            var function = method.GetCustomAttribute<FunctionAttribute>();
            var mark = method.GetCustomAttribute<RequireAccessTokenAttribute>();
            if (function is null || mark is null)
            {
                continue;
            }

            // A mark the middleware would never act on is a silent hole: refuse to start instead.
            if (!method.GetParameters().Any(p => p.GetCustomAttribute<HttpTriggerAttribute>() is not null))
            {
                throw new InvalidOperationException(
                    $"Function '{function.Name}' is marked [RequireAccessToken] but is not HTTP-triggered.");
            }

            if (mark.Permissions.Any(p => string.IsNullOrWhiteSpace(p) || p.Contains(' ', StringComparison.Ordinal) || p.Contains('"', StringComparison.Ordinal)))
            {
                throw new InvalidOperationException(
                    $"Function '{function.Name}' requires a permission that is empty or contains a space or a quote.");
            }

            requirements.Add(function.Name, new AccessRequirement(mark.Permissions));
        }

        _requirements = requirements.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>What the function requires, or false for a function anyone may call.</summary>
    public bool TryGetRequirement(string functionName, out AccessRequirement requirement) =>
        _requirements.TryGetValue(functionName, out requirement!);
}
