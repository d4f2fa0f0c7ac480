namespace FunctionApp.Auth;

/// <summary>
/// Where accepted DPoP proofs are remembered, so a proof sent twice is refused the second time: this instance's memory,
/// or a store every instance shares.
/// </summary>
internal interface IDPoPReplayStore
{
    /// <summary>
    /// Remembers a proof through <paramref name="lastAcceptable"/>, the last instant any check accepts it, unless it is
    /// remembered already; <paramref name="now"/> is the request's clock reading.
    /// </summary>
    ValueTask<DPoPReplayOutcome> TryRememberAsync(
        string thumbprint, string jti, DateTimeOffset lastAcceptable, DateTimeOffset now, CancellationToken cancellationToken);
}
