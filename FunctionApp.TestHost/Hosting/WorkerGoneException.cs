namespace FunctionApp.TestHost.Hosting;

/// <summary>The worker process exited or its stream closed: nothing in flight will be answered.</summary>
public sealed class WorkerGoneException : Exception
{
    public WorkerGoneException()
    {
    }

    public WorkerGoneException(string message)
        : base(message)
    {
    }

    public WorkerGoneException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
