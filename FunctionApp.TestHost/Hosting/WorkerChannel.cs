using System.Collections.Concurrent;
using System.Threading.Channels;
using FunctionApp.TestHost.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace FunctionApp.TestHost.Hosting;

/// <summary>
/// The host's end of the worker's EventStream: sends requests, and matches the worker's answers to them by
/// function id or invocation id, so any number of invocations can be in flight at once.
/// </summary>
public sealed partial class WorkerChannel
{
    private readonly string _workerId;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly Channel<StreamingMessage> _outbound = Channel.CreateUnbounded<StreamingMessage>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<WorkerInitResponse> _init = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<FunctionMetadataResponse> _metadata = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<FunctionLoadResponse>> _loads = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<InvocationResponse>> _invocations = new();
    private Exception? _gone;

    public WorkerChannel(string workerId, ILoggerFactory loggers)
    {
        _workerId = workerId;
        _loggers = loggers;
        _logger = loggers.CreateLogger("FunctionApp.TestHost.Worker");
    }

    /// <summary>Completes when the worker has opened its stream and said StartStream.</summary>
    public Task Connected => _connected.Task;

    public bool IsGone => Volatile.Read(ref _gone) is not null;

    /// <summary>Serves one EventStream call until the worker or the host ends it.</summary>
    public async Task ServeAsync(
        IAsyncStreamReader<StreamingMessage> fromWorker, IServerStreamWriter<StreamingMessage> toWorker, CancellationToken cancellation)
    {
        if (!await fromWorker.MoveNext(cancellation) || fromWorker.Current.StartStream?.WorkerId != _workerId)
        {
            throw new Grpc.Core.RpcException(new Status(StatusCode.PermissionDenied, "The first message must be StartStream from the launched worker."));
        }

        _connected.TrySetResult();
        var writer = WriteAllAsync(toWorker, cancellation);
        try
        {
            while (await fromWorker.MoveNext(cancellation))
            {
                Dispatch(fromWorker.Current);
            }

            Fail(new WorkerGoneException("The worker closed its stream."));
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or Grpc.Core.RpcException)
        {
            Fail(new WorkerGoneException("The worker's stream broke.", ex));
        }
        finally
        {
            _outbound.Writer.TryComplete();
            await writer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public async Task<WorkerInitResponse> InitAsync(WorkerInitRequest request)
    {
        Send(new StreamingMessage { WorkerInitRequest = request });
        return await _init.Task.ConfigureAwait(false);
    }

    public async Task<FunctionMetadataResponse> GetMetadataAsync(FunctionsMetadataRequest request)
    {
        Send(new StreamingMessage { FunctionsMetadataRequest = request });
        return await _metadata.Task.ConfigureAwait(false);
    }

    public Task<FunctionLoadResponse> LoadAsync(FunctionLoadRequest request)
    {
        var pending = Register(_loads, request.FunctionId);
        Send(new StreamingMessage { FunctionLoadRequest = request });
        return pending;
    }

    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellation)
    {
        var pending = Register(_invocations, request.InvocationId);
        try
        {
            Send(new StreamingMessage { InvocationRequest = request });
            return await pending.WaitAsync(cancellation).ConfigureAwait(false);
        }
        finally
        {
            _invocations.TryRemove(request.InvocationId, out _);
        }
    }

    public void Terminate(TimeSpan gracePeriod) =>
        _outbound.Writer.TryWrite(new StreamingMessage
        {
            WorkerTerminate = new WorkerTerminate { GracePeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(gracePeriod) },
        });

    /// <summary>Ends everything in flight and everything to come with <paramref name="reason"/>.</summary>
    public void Fail(Exception reason)
    {
        if (Interlocked.CompareExchange(ref _gone, reason, null) is not null)
        {
            return;
        }

        _outbound.Writer.TryComplete();
        _connected.TrySetException(reason);
        _init.TrySetException(reason);
        _metadata.TrySetException(reason);
        foreach (var pending in _loads.Values)
        {
            pending.TrySetException(reason);
        }

        foreach (var pending in _invocations.Values)
        {
            pending.TrySetException(reason);
        }
    }

    private Task<T> Register<T>(ConcurrentDictionary<string, TaskCompletionSource<T>> pending, string id)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = completion;
        // Checked after registering, so a failure racing with this call still reaches the caller.
        if (Volatile.Read(ref _gone) is { } gone)
        {
            completion.TrySetException(gone);
        }

        return completion.Task;
    }

    private void Send(StreamingMessage message)
    {
        if (!_outbound.Writer.TryWrite(message))
        {
            throw Volatile.Read(ref _gone) ?? new WorkerGoneException("The worker's stream is closed.");
        }
    }

    private async Task WriteAllAsync(IServerStreamWriter<StreamingMessage> toWorker, CancellationToken cancellation)
    {
        await foreach (var message in _outbound.Reader.ReadAllAsync(cancellation).ConfigureAwait(false))
        {
            await toWorker.WriteAsync(message, cancellation).ConfigureAwait(false);
        }
    }

    private void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.RpcLog:
                Forward(message.RpcLog);
                break;
            case StreamingMessage.ContentOneofCase.WorkerInitResponse:
                _init.TrySetResult(message.WorkerInitResponse);
                break;
            case StreamingMessage.ContentOneofCase.FunctionMetadataResponse:
                _metadata.TrySetResult(message.FunctionMetadataResponse);
                break;
            case StreamingMessage.ContentOneofCase.FunctionLoadResponse:
                Complete(_loads, message.FunctionLoadResponse.FunctionId, message.FunctionLoadResponse);
                break;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                Complete(_invocations, message.InvocationResponse.InvocationId, message.InvocationResponse);
                break;
            default:
                // Includes the empty message a worker sends after WorkerTerminate.
                break;
        }
    }

    private static void Complete<T>(ConcurrentDictionary<string, TaskCompletionSource<T>> pending, string id, T value)
    {
        if (pending.TryRemove(id, out var completion))
        {
            completion.TrySetResult(value);
        }
    }

    private void Forward(RpcLog log)
    {
        var logger = string.IsNullOrEmpty(log.Category) ? _logger : _loggers.CreateLogger(log.Category);
        var level = log.Level switch
        {
            RpcLog.Types.Level.Trace => LogLevel.Trace,
            RpcLog.Types.Level.Debug => LogLevel.Debug,
            RpcLog.Types.Level.Information => LogLevel.Information,
            RpcLog.Types.Level.Warning => LogLevel.Warning,
            RpcLog.Types.Level.Error => LogLevel.Error,
            RpcLog.Types.Level.Critical => LogLevel.Critical,
            _ => LogLevel.None,
        };
        if (log.Exception is { } exception)
        {
            LogWorkerException(logger, level, log.Message, exception.Message);
        }
        else
        {
            LogWorker(logger, level, log.Message);
        }
    }

    [LoggerMessage(Message = "{Message}")]
    private static partial void LogWorker(ILogger logger, LogLevel level, string message);

    [LoggerMessage(Message = "{Message} {Exception}")]
    private static partial void LogWorkerException(ILogger logger, LogLevel level, string message, string exception);
}
