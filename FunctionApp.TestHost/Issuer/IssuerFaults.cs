using Microsoft.AspNetCore.Http;

namespace FunctionApp.TestHost.Issuer;

/// <summary>How the local issuer answers its metadata and JWKS requests right now, and a signal for each request.</summary>
public sealed class IssuerFaults : IDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _requested = NewSignal();
    private TaskCompletionSource _modeChanged = NewSignal();
    private IssuerMode _mode = IssuerMode.Up;

    public IssuerMode Mode
    {
        get => _mode;
        set
        {
            TaskCompletionSource changed;
            lock (_gate)
            {
                _mode = value;
                changed = _modeChanged;
                _modeChanged = NewSignal();
            }

            changed.TrySetResult();
        }
    }

    /// <summary>Completes when the next metadata or JWKS request arrives.</summary>
    public Task NextRequest
    {
        get
        {
            lock (_gate)
            {
                return _requested.Task;
            }
        }
    }

    /// <summary>The answer the current mode gives instead of the document, or null to serve it.</summary>
    public async Task<IResult?> AnswerAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Task modeChanged;
        lock (_gate)
        {
            _requested.TrySetResult();
            _requested = NewSignal();
            modeChanged = _modeChanged.Task;
        }

        if (Mode == IssuerMode.Held)
        {
            // Answers as the next mode says, once the test has seen what it wanted while the request was held.
            await modeChanged.WaitAsync(_stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        switch (Mode)
        {
            case IssuerMode.Down:
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            case IssuerMode.Html:
                return Results.Content("<html><body>Service unavailable</body></html>", "text/html");
            case IssuerMode.Unresponsive:
                using (var abandon = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token))
                {
                    await Task.Delay(Timeout.Infinite, abandon.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }

                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            default:
                return null;
        }
    }

    /// <summary>Lets every held or unresponsive request go, so the server can stop.</summary>
    public void Stop() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
