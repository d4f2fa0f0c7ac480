using Microsoft.Extensions.DependencyInjection;

namespace FunctionApp.Docs;

/// <summary>Registers the OpenAPI document and the interactive docs served by <see cref="Functions.ApiDocsFunctions"/>.</summary>
public static class ApiDocsServiceCollectionExtensions
{
    public static IServiceCollection AddApiDocs(this IServiceCollection services)
    {
        services.AddSingleton<ApiDocs>();
        services.AddSingleton<SwaggerUiAssets>();
        return services;
    }
}
