using Microsoft.Extensions.Logging;

namespace FunctionApp.Benchmarks;

/// <summary>Completes when the worker logs that its start-up work (the key fetch) is done.</summary>
public sealed class WarmUpSignal : ILoggerProvider
{
    // The worker logs it once per domain; the benchmarks use one.
    private const string ReadyMessage = "Signing keys are fetched for ";

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Ready => _ready.Task;

    public ILogger CreateLogger(string categoryName) => new Listener(_ready);

    public void Dispose()
    {
    }

    private sealed class Listener(TaskCompletionSource ready) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (formatter(state, exception).StartsWith(ReadyMessage, StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }
    }
}
