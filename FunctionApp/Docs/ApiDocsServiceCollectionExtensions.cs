using FunctionApp.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionApp.Docs;

/// <summary>Registers the OpenAPI document and the interactive docs served by <see cref="Functions.ApiDocsFunctions"/>.</summary>
internal static class ApiDocsServiceCollectionExtensions
{
    /// <summary>The docs describe the functions of the app's entry assembly, protected as the access-token middleware protects them.</summary>
    public static IServiceCollection AddApiDocs(this IServiceCollection services)
    {
        services.AddSingleton(sp => new FunctionCatalog(
            System.Reflection.Assembly.GetEntryAssembly()?.GetTypes() ?? [], sp.GetService<ProtectedFunctions>()));
        services.AddSingleton<ApiDocs>();
        services.AddSingleton<SwaggerUiAssets>();
        return services;
    }
}
