using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace FunctionApp.Telemetry;

/// <summary>
/// Makes the OpenTelemetry providers before the worker takes its first invocation. The worker starts serving as its
/// own hosted service starts, and that one is registered before OpenTelemetry's, which would make the providers only
/// afterwards: the spans and measurements of a cold start's first requests would be lost.
/// </summary>
internal sealed class TelemetryProvidersStarter(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetService<TracerProvider>();
        services.GetService<MeterProvider>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
