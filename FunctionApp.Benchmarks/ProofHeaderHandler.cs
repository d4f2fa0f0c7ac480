namespace FunctionApp.Benchmarks;

/// <summary>
/// Adds the next of a batch of pre-made DPoP proofs to each request that goes through it, so that the load driver
/// (which sets only the Authorization header) sends a fresh proof per request while the client's cost of making it
/// stays outside the timed run. With no batch loaded it adds nothing; every run, Bearer or DPoP, goes through it alike.
/// </summary>
public sealed class ProofHeaderHandler : DelegatingHandler
{
    private string[]? _proofs;
    private int _next;

    public ProofHeaderHandler()
        : base(new SocketsHttpHandler())
    {
    }

    /// <summary>The proofs for the next run, one per request, taken in order; null for a run without proofs.</summary>
    public void Load(string[]? proofs)
    {
        _proofs = proofs;
        Volatile.Write(ref _next, -1);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_proofs is { } proofs)
        {
            // Running out would mean a proof sent twice: refused as a replay, so a figure of rejections.
            var index = Interlocked.Increment(ref _next);
            request.Headers.TryAddWithoutValidation("DPoP", index < proofs.Length
                ? proofs[index]
                : throw new InvalidOperationException("More requests than proofs: a proof would be sent twice."));
        }

        return base.SendAsync(request, cancellationToken);
    }
}
