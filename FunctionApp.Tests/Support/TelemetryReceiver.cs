using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace FunctionApp.Tests.Support;

/// <summary>
/// A telemetry ingestion endpoint on 127.0.0.1 that keeps every payload posted to it (an OTLP/HTTP collector, or
/// Application Insights' ingestion), inflated when gzipped, so tests can read what the app sent.
/// </summary>
public sealed class TelemetryReceiver : IAsyncDisposable
{
    private readonly WebApplication _server;
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();

    private TelemetryReceiver(WebApplication server)
    {
        _server = server;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<TelemetryReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1AndHttp2));
        var server = builder.Build();
        var receiver = new TelemetryReceiver(server);
        server.MapPost("/{**path}", (Delegate)receiver.ReceiveAsync);
        await server.StartAsync();
        receiver.BaseAddress = new Uri(server.Urls.Single().TrimEnd('/') + "/");
        return receiver;
    }

    /// <summary>Every payload so far, as text (protobuf's strings are plain UTF-8 in it), with the path it came to.</summary>
    public IReadOnlyList<(string Path, string Text)> Payloads =>
        _received.Select(r => (r.Path, System.Text.Encoding.UTF8.GetString(r.Body))).ToArray();

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync();
        await _server.DisposeAsync();
    }

    private async Task<IResult> ReceiveAsync(HttpContext context)
    {
        Stream body = context.Request.Body;
        if (context.Request.Headers.ContentEncoding == "gzip")
        {
            body = new GZipStream(body, CompressionMode.Decompress);
        }

        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer);
        _received.Enqueue((context.Request.Path.Value ?? string.Empty, buffer.ToArray()));
        // Application Insights' ingestion answers with counts; OTLP/HTTP with an empty message.
        return context.Request.Path.StartsWithSegments("/v2.1/track", StringComparison.Ordinal)
            ? Results.Json(new { itemsReceived = 0, itemsAccepted = 0, errors = Array.Empty<object>() })
            : Results.Bytes([], "application/x-protobuf");
    }
}
