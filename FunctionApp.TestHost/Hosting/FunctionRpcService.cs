using FunctionApp.TestHost.Rpc;
using Grpc.Core;

namespace FunctionApp.TestHost.Hosting;

/// <summary>The FunctionRpc gRPC service the worker dials into; it hands the stream to the host's channel.</summary>
public sealed class FunctionRpcService : FunctionRpc.FunctionRpcBase
{
    private readonly WorkerChannel _channel;

    public FunctionRpcService(WorkerChannel channel) => _channel = channel;

    public override Task EventStream(
        IAsyncStreamReader<StreamingMessage> requestStream,
        IServerStreamWriter<StreamingMessage> responseStream,
        ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _channel.ServeAsync(requestStream, responseStream, context.CancellationToken);
    }
}
