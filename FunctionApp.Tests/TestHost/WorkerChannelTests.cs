using FunctionApp.TestHost.Hosting;
using FunctionApp.TestHost.Rpc;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionApp.Tests.TestHost;

public sealed class WorkerChannelTests
{
    private readonly WorkerChannel _channel = new("worker-1", NullLoggerFactory.Instance);

    [Fact]
    public async Task An_invocation_in_flight_fails_when_the_worker_goes()
    {
        var pending = _channel.InvokeAsync(new InvocationRequest { InvocationId = "a" }, CancellationToken.None);
        Assert.False(pending.IsCompleted);

        _channel.Fail(new WorkerGoneException("gone"));

        await Assert.ThrowsAsync<WorkerGoneException>(() => pending);
    }

    [Fact]
    public async Task An_invocation_after_the_worker_went_fails_at_once()
    {
        _channel.Fail(new WorkerGoneException("gone"));

        await Assert.ThrowsAsync<WorkerGoneException>(
            () => _channel.InvokeAsync(new InvocationRequest { InvocationId = "b" }, CancellationToken.None));
        Assert.True(_channel.IsGone);
    }
}
