using Microsoft.Extensions.DependencyInjection;

namespace FunctionApp.Docs;

/// <summary>Registers the OpenAPI document and the interactive docs served by <see cref="Functions.ApiDocsFunctions"/>.</summary>
internal static class ApiDocsServiceCollectionExtensions
{
    /// <summary>The docs describe the functions of the app's entry assembly.</summary>
    public static IServiceCollection AddApiDocs(this IServiceCollection services)
    {
        services.AddSingleton(new FunctionCatalog(System.Reflection.Assembly.GetEntryAssembly()?.GetTypes() ?? []));
        services.AddSingleton<ApiDocs>();
        services.AddSingleton<SwaggerUiAssets>();
        return services;
    }
}
