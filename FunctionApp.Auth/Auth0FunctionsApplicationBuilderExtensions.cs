using Azure.Core;
using Azure.Identity;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.Extensions.Hosting;

namespace FunctionApp.Auth;

/// <summary>Turns on Auth0 access-token protection for the functions marked <see cref="RequireAccessTokenAttribute"/>.</summary>
public static class Auth0FunctionsApplicationBuilderExtensions
{
    /// <summary>The name of the meter and activity source of access-token protection, for the app's telemetry to listen to.</summary>
    public const string TelemetrySourceName = AccessTokenTelemetry.Name;

    private const string MetadataClientKey = "Auth0.Metadata";

    /// <summary>
    /// Binds and checks the <c>Auth0</c> settings (a bad one stops start-up), checks the <c>[RequireAccessToken]</c> and
    /// <c>[AllowAnonymousAccess]</c> marks of every function the app serves, and adds the middleware that enforces them.
    /// </summary>
    public static FunctionsApplicationBuilder UseAuth0AccessTokens(this FunctionsApplicationBuilder builder) =>
        builder.UseAuth0AccessTokens(_ => { });

    /// <summary>
    /// As <see cref="UseAuth0AccessTokens(FunctionsApplicationBuilder)"/>, with <paramref name="configure"/> applied
    /// after the settings, so that what it sets wins over them.
    /// </summary>
    public static FunctionsApplicationBuilder UseAuth0AccessTokens(this FunctionsApplicationBuilder builder, Action<Auth0Options> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddAuth0TokenValidation(builder.Configuration.GetSection(Auth0Options.SectionName));
        builder.Services.Configure(configure);
        builder.Services.AddSingleton(sp => new ProtectedFunctions(sp.GetRequiredService<IOptions<Auth0Options>>().Value.RequireAccessTokenByDefault));
        builder.Services.AddHostedService<ProtectedFunctionsCheck>();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<Auth0Options>>().Value.Events);
        builder.UseMiddleware<AccessTokenMiddleware>();
        return builder;
    }

    /// <summary>A configuration manager of <paramref name="domain"/>'s discovery document and keys, with no configuration yet.</summary>
    internal static ConfigurationManager<OpenIdConnectConfiguration> ConfigurationManagerFor(
        Auth0Domain domain, Auth0Options options, HttpClient client) =>
        new(
            domain.MetadataAddress.AbsoluteUri,
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(client) { RequireHttps = domain.RequireHttps },
            new DiscoveryDocumentValidator(domain.Issuer))
        {
            RefreshInterval = options.MinimumRefreshInterval,
        };

    /// <summary>Everything but the middleware: what tests and benchmarks build in their own process.</summary>
    internal static IServiceCollection AddAuth0TokenValidation(this IServiceCollection services, IConfiguration section)
    {
        // The settings first, so that what the app's code sets wins; checked as the host starts, so a bad one stops start-up.
        services.AddOptions<Auth0Options>().ValidateOnStart();
        services.AddSingleton<IConfigureOptions<Auth0Options>>(new Auth0SettingsBinding(section));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Auth0Options>, Auth0OptionsValidator>());
        services.AddSingleton(sp => ErrorContractAnswers.For(sp.GetRequiredService<IOptions<Auth0Options>>().Value.ErrorContract));
        services.AddKeyedSingleton(MetadataClientKey, (sp, _) => new HttpClient(
            new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(15) })
        {
            Timeout = sp.GetRequiredService<IOptions<Auth0Options>>().Value.MetadataTimeout,
        });
        services.AddMetrics();
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AccessTokenTelemetry>();
        // One configuration manager at a time, and so one set of keys and one memory of verified tokens, per domain.
        services.AddSingleton<IReadOnlyList<DomainSigningKeys>>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<Auth0Options>>().Value;
            var client = sp.GetRequiredKeyedService<HttpClient>(MetadataClientKey);
            var time = sp.GetRequiredService<TimeProvider>();
            var telemetry = sp.GetRequiredService<AccessTokenTelemetry>();
            DomainSigningKeys[] domains = [.. options.TenantDomains.Select(domain => new DomainSigningKeys(
                domain, AccessTokenParameters.For(domain, options, time), () => ConfigurationManagerFor(domain, options, client), options, time, telemetry))];
            telemetry.ObserveMemory(() => domains.Select(keys => keys.Current?.Memory).OfType<VerifiedTokenMemory>());
            return domains;
        });
        services.AddSingleton<DPoPNonces>();
        services.AddSingleton<DPoPReplayMemory>();
        // Tests put a credential of their own here first.
        services.TryAddKeyedSingleton<TokenCredential>(RedisEntraSignIn.CredentialKey, (sp, _) =>
            sp.GetRequiredService<IOptions<Auth0Options>>().Value.DPoPReplayRedisIdentityClientId is { Length: > 0 } clientId
                ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
                : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned));
        services.AddSingleton<RedisEntraSignIn>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<Auth0Options>>().Value;
            return new RedisDPoPReplayStore(
                options,
                sp.GetRequiredService<DPoPReplayMemory>(),
                sp.GetRequiredService<AccessTokenTelemetry>(),
                options.DPoPReplayRedisIdentity == DPoPReplayRedisIdentity.ManagedIdentity ? sp.GetRequiredService<RedisEntraSignIn>() : null,
                sp.GetRequiredService<ILogger<RedisDPoPReplayStore>>());
        });
        services.AddSingleton<IDPoPReplayStore>(sp => sp.GetRequiredService<IOptions<Auth0Options>>().Value.DPoPReplayStore == DPoPReplayStoreKind.Redis
            ? sp.GetRequiredService<RedisDPoPReplayStore>()
            : sp.GetRequiredService<DPoPReplayMemory>());
        services.AddSingleton<DPoPProofValidator>();
        services.AddSingleton<Auth0TokenValidator>();
        services.AddHostedService<SigningKeyStartupFetch>();
        return services;
    }
}
