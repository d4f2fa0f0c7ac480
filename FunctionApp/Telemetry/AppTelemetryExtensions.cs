using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using FunctionApp.Auth;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace FunctionApp.Telemetry;

/// <summary>
/// OpenTelemetry for the worker: its logs, the HTTP calls it makes, and the metrics and traces of access-token
/// protection, exported to Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set and to any OTLP
/// endpoint when OTEL_EXPORTER_OTLP_ENDPOINT is set. With neither, nothing is added.
/// </summary>
internal static class AppTelemetryExtensions
{
    public static FunctionsApplicationBuilder AddAppTelemetry(this FunctionsApplicationBuilder builder)
    {
        var connectionString = builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"];
        var otlpEndpoint = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(connectionString) && string.IsNullOrWhiteSpace(otlpEndpoint))
        {
            return builder;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithMetrics(metrics => metrics
                .AddMeter(Auth0FunctionsApplicationBuilderExtensions.TelemetrySourceName)
                .AddHttpClientInstrumentation())
            .WithTracing(tracing => tracing
                .AddSource(Auth0FunctionsApplicationBuilderExtensions.TelemetrySourceName)
                // Key fetches show as HTTP dependencies; nothing else in the worker calls out.
                .AddHttpClientInstrumentation())
            .WithLogging();
        // First of all hosted services, so that it runs before the worker's own starts taking invocations.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, TelemetryProvidersStarter>());
        if (!string.IsNullOrWhiteSpace(otlpEndpoint))
        {
            telemetry.UseOtlpExporter();
        }

        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            var credential = EntraCredential(builder.Configuration["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
            var azureMonitor = builder.Configuration.GetSection("AzureMonitor");
            // Only the overload without a callback reads OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG: with one, the
            // exporter keeps its 5 traces per second whatever they say. Ours is added after it, so it runs after it.
            telemetry.UseAzureMonitorExporter();
            builder.Services.Configure<AzureMonitorExporterOptions>(options =>
            {
                // The exporter would drop every log line written inside a trace it samples out, and a rejection's line is
                // an audit record: logs, like metrics, are never sampled.
                options.EnableTraceBasedLogsSampler = false;
                // Any of the exporter's options, e.g. AzureMonitor__EnableLiveMetrics=false; Microsoft's defaults otherwise.
                azureMonitor.Bind(options);
                options.ConnectionString = connectionString;
                options.Credential = credential;
            });
        }

        return builder;
    }

    // "Authorization=AAD" sends as the app's system-assigned identity, "Authorization=AAD;ClientId=..." as a
    // user-assigned one: what the component with local authentication disabled accepts. Otherwise the key in the
    // connection string is used.
    private static ManagedIdentityCredential? EntraCredential(string? authentication)
    {
        var parts = (authentication ?? string.Empty)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var kind) || !string.Equals(kind, "AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return new ManagedIdentityCredential(parts.TryGetValue("ClientId", out var clientId)
            ? ManagedIdentityId.FromUserAssignedClientId(clientId)
            : ManagedIdentityId.SystemAssigned);
    }
}
