using System.Net;
using FunctionApp.TestHost.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionApp.TestHost.Hosting;

/// <summary>
/// A loopback stand-in for the Azure Functions host: serves FunctionRpc to the real worker process it launches, and
/// turns HTTP requests on its own listener into invocations of that worker. A worker that names its own HTTP server
/// (ASP.NET Core integration) gets each request forwarded there while the invocation goes over gRPC; any other gets
/// the request inside the invocation and answers with the response inside its own.
/// </summary>
public sealed partial class FunctionsHost : IAsyncDisposable
{
    /// <summary>The host version this stand-in reports, after the genuine host it imitates.</summary>
    public const string HostVersion = "4.1037.0.0";

    private const string HttpUriCapability = "HttpUri";

    private readonly WebApplication _server;
    private readonly WorkerChannel _channel;
    private readonly ILogger _logger;
    private WorkerProcess? _worker;
    private WorkerHttpForwarder? _forwarder;
    private IReadOnlyList<FunctionRoute> _routes = [];
    private int _httpPort;
    private bool _stopping;
    private readonly TimeSpan _terminateGracePeriod;

    private FunctionsHost(WebApplication server, WorkerChannel channel, ILogger logger, TimeSpan terminateGracePeriod)
    {
        _server = server;
        _channel = channel;
        _logger = logger;
        _terminateGracePeriod = terminateGracePeriod;
    }

    /// <summary>The address of the HTTP listener, e.g. http://127.0.0.1:7071/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The routes of the app's HTTP-triggered functions, as the worker reported them.</summary>
    public IReadOnlyList<FunctionRoute> Routes => _routes;

    /// <summary>The worker's process id.</summary>
    public int WorkerProcessId => _worker!.Id;

    /// <summary>Completes once the worker process has exited and everything in flight has been failed.</summary>
    public Task WorkerGone { get; private set; } = Task.CompletedTask;

    /// <summary>Starts the listeners and the worker, and returns once every function is loaded.</summary>
    public static async Task<FunctionsHost> StartAsync(FunctionsHostOptions options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        var config = WorkerConfig.Load(options.AppDirectory);
        var workerId = Guid.NewGuid().ToString();
        var channel = new WorkerChannel(workerId, loggers);

        ListenOptions? rpcListener = null;
        ListenOptions? httpListener = null;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = options.AppDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.Services.AddSingleton(channel);
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = null);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = true;
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                rpcListener = listen;
            });
            kestrel.Listen(IPAddress.Loopback, options.HttpPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                httpListener = listen;
            });
        });

        var server = builder.Build();
        var host = new FunctionsHost(server, channel, loggers.CreateLogger("FunctionApp.TestHost"), options.TerminateGracePeriod);
        server.Use((context, next) => context.Connection.LocalPort == host._httpPort ? host.HandleAsync(context) : next(context));
        server.MapGrpcService<FunctionRpcService>();
        await server.StartAsync().ConfigureAwait(false);

        host._httpPort = httpListener!.IPEndPoint!.Port;
        host.BaseAddress = new Uri($"http://127.0.0.1:{host._httpPort}/");
        var rpcAddress = new Uri($"http://127.0.0.1:{rpcListener!.IPEndPoint!.Port}/");
        try
        {
            host._worker = WorkerProcess.Start(config, options.AppDirectory, rpcAddress, workerId, options.Settings, host._logger);
            host.WorkerGone = host.WatchWorkerAsync();
            host._routes = await host.InitializeWorkerAsync(options.AppDirectory, config.RoutePrefix)
                .WaitAsync(options.StartTimeout).ConfigureAwait(false);
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        LogReady(host._logger, host.BaseAddress, host._routes);
        return host;
    }

    /// <summary>Asks the worker to leave, waits out its grace period, then makes sure it has.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopping, true))
        {
            return;
        }

        if (_worker is not null)
        {
            _channel.Terminate(_terminateGracePeriod);
            await _worker.StopAsync(_terminateGracePeriod).ConfigureAwait(false);
            _worker.Dispose();
        }

        _channel.Fail(new WorkerGoneException("The host is shutting down."));
        await _server.StopAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
        _forwarder?.Dispose();
    }

    private async Task<IReadOnlyList<FunctionRoute>> InitializeWorkerAsync(string appDirectory, string routePrefix)
    {
        await _channel.Connected.ConfigureAwait(false);
        var init = new WorkerInitRequest
        {
            HostVersion = HostVersion,
            WorkerDirectory = appDirectory,
            FunctionAppDirectory = appDirectory,
        };
        init.Capabilities["MultiStream"] = "10";
        var initialized = await _channel.InitAsync(init).ConfigureAwait(false);
        EnsureSuccess(initialized.Result, "worker init");
        // As the genuine host does, any non-empty HttpUri capability means the worker serves HTTP itself.
        if (initialized.Capabilities.TryGetValue(HttpUriCapability, out var httpUri) && !string.IsNullOrEmpty(httpUri))
        {
            _forwarder = new WorkerHttpForwarder(new Uri(httpUri));
        }

        var metadata = await _channel.GetMetadataAsync(new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory })
            .ConfigureAwait(false);
        EnsureSuccess(metadata.Result, "function metadata");

        var loads = metadata.FunctionMetadataResults.Select(function =>
        {
            var load = new FunctionLoadRequest
            {
                FunctionId = function.FunctionId,
                Metadata = new RpcFunctionMetadata
                {
                    Name = function.Name,
                    Directory = function.Directory,
                    EntryPoint = function.EntryPoint,
                    ScriptFile = function.ScriptFile,
                    IsProxy = false,
                    Bindings = { function.Bindings },
                    Properties = { ["FunctionId"] = function.FunctionId },
                },
            };
            return _channel.LoadAsync(load);
        });
        foreach (var loaded in await Task.WhenAll(loads).ConfigureAwait(false))
        {
            EnsureSuccess(loaded.Result, "function load " + loaded.FunctionId);
        }

        return metadata.FunctionMetadataResults
            .Select(function => FunctionRoute.From(function, routePrefix))
            .OfType<FunctionRoute>()
            .ToArray();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var route = FindRoute(context.Request, out var routeValues);
        if (route is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentLength = 0;
            return;
        }

        if (_channel.IsGone)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.ContentLength = 0;
            return;
        }

        var invocation = _forwarder is null
            ? await RpcHttpMapper.ToInvocationAsync(context, route, routeValues).ConfigureAwait(false)
            : RpcHttpMapper.ToProxiedInvocation(context, route, routeValues);
        if (invocation is null)
        {
            LogUnparsableUrl(_logger, route.Name);
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            context.Response.ContentLength = 0;
            return;
        }

        InvocationResponse answer;
        try
        {
            answer = _forwarder is null
                ? await _channel.InvokeAsync(invocation, context.RequestAborted).ConfigureAwait(false)
                : await InvokeProxiedAsync(context, route, invocation, _forwarder).ConfigureAwait(false);
        }
        catch (WorkerGoneException)
        {
            LogInvocationLost(_logger, route.Name, invocation.InvocationId);
            AnswerBadGateway(context.Response);
            return;
        }

        if (answer.Result?.Status != StatusResult.Types.Status.Success)
        {
            LogInvocationFailed(_logger, route.Name, invocation.InvocationId, answer.Result?.Exception?.Message);
        }

        if (_forwarder is null)
        {
            await RpcHttpMapper.WriteAsync(context, answer).ConfigureAwait(false);
        }
    }

    // The request goes to the worker's server first, then the invocation over gRPC, as the genuine host orders them;
    // the worker holds each until the other arrives. The client gets the server's answer; the invocation's result
    // carries none.
    private async Task<InvocationResponse> InvokeProxiedAsync(
        HttpContext context, FunctionRoute route, InvocationRequest invocation, WorkerHttpForwarder forwarder)
    {
        var forwarded = forwarder.ForwardAsync(context, invocation.InvocationId);
        var invoked = _channel.InvokeAsync(invocation, context.RequestAborted);
        try
        {
            await forwarded.ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            LogForwardingFailed(_logger, route.Name, invocation.InvocationId, ex.Message);
            AnswerBadGateway(context.Response);
        }

        return await invoked.ConfigureAwait(false);
    }

    private static void AnswerBadGateway(HttpResponse response)
    {
        if (!response.HasStarted)
        {
            response.StatusCode = StatusCodes.Status502BadGateway;
            response.ContentLength = 0;
        }
    }

    private FunctionRoute? FindRoute(HttpRequest request, out Dictionary<string, string> routeValues)
    {
        var path = request.Path.Value ?? "/";
        foreach (var route in _routes)
        {
            if (route.TryMatch(request.Method, path, out routeValues))
            {
                return route;
            }
        }

        routeValues = [];
        return null;
    }

    private async Task WatchWorkerAsync()
    {
        await _worker!.Exited.ConfigureAwait(false);
        if (!Volatile.Read(ref _stopping))
        {
            LogWorkerExited(_logger, _worker.Id, _worker.ExitCode);
        }

        _channel.Fail(new WorkerGoneException($"The worker process exited with code {_worker.ExitCode}."));
    }

    private static void EnsureSuccess(StatusResult? result, string step)
    {
        if (result?.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"The worker failed {step}: {result?.Exception?.Message ?? result?.Result}");
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Functions host ready on {BaseAddress}: {Routes}")]
    private static partial void LogReady(ILogger logger, Uri baseAddress, IEnumerable<FunctionRoute> routes);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error,
        Message = "The worker process {ProcessId} exited with code {ExitCode}; requests now answer 502 (in flight) or 503 (new).")]
    private static partial void LogWorkerExited(ILogger logger, int processId, int exitCode);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Invocation {InvocationId} of {Function} was lost with the worker: answered 502.")]
    private static partial void LogInvocationLost(ILogger logger, string function, string invocationId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Invocation {InvocationId} of {Function} failed: {Error}")]
    private static partial void LogInvocationFailed(ILogger logger, string function, string invocationId, string? error);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "A request to {Function} has a URL that does not parse (its Host header); answered 500 without calling the worker.")]
    private static partial void LogUnparsableUrl(ILogger logger, string function);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "The worker's HTTP server did not answer invocation {InvocationId} of {Function}: {Error}")]
    private static partial void LogForwardingFailed(ILogger logger, string function, string invocationId, string error);
}
