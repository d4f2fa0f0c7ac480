using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect.Configuration;

namespace FunctionApp.Auth;

/// <summary>Registers Auth0 access-token validation for the functions a <see cref="Endpoints.FunctionCatalog"/> describes.</summary>
public static class Auth0ServiceCollectionExtensions
{
    private const string MetadataClientKey = "Auth0.Metadata";

    /// <summary>Needs a <see cref="Endpoints.FunctionCatalog"/> registered: it says which functions require what.</summary>
    public static IServiceCollection AddAuth0AccessTokens(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<Auth0Options>()
            .Bind(configuration.GetSection(Auth0Options.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<Auth0Options>, Auth0OptionsValidator>();
        services.AddSingleton(sp => Auth0Settings.TryCreate(sp.GetRequiredService<IOptions<Auth0Options>>().Value, out _)!);

        services.AddKeyedSingleton(MetadataClientKey, (sp, _) => new HttpClient(
            new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(15) })
        {
            Timeout = sp.GetRequiredService<Auth0Settings>().MetadataTimeout,
        });
        services.AddSingleton<IConfigurationManager<OpenIdConnectConfiguration>>(sp =>
        {
            var settings = sp.GetRequiredService<Auth0Settings>();
            var retriever = new HttpDocumentRetriever(sp.GetRequiredKeyedService<HttpClient>(MetadataClientKey))
            {
                RequireHttps = settings.RequireHttps,
            };
            // The validator refuses a configuration without keys, so a broken JWKS never replaces good keys.
            return new ConfigurationManager<OpenIdConnectConfiguration>(
                settings.MetadataAddress.AbsoluteUri,
                new OpenIdConnectConfigurationRetriever(),
                retriever,
                new OpenIdConnectConfigurationValidator())
            {
                RefreshInterval = settings.MinimumRefreshInterval,
            };
        });

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SigningKeySource>();
        services.AddSingleton<Auth0TokenValidator>();
        services.AddSingleton<RejectionResponses>();
        services.AddHostedService<SigningKeyPrefetcher>();
        return services;
    }
}
