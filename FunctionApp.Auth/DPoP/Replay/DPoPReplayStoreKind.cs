namespace FunctionApp.Auth;

/// <summary>Where accepted DPoP proofs are remembered (setting <c>Auth0__DPoPReplayStore</c>).</summary>
public enum DPoPReplayStoreKind
{
    /// <summary>Each instance remembers the proofs it accepted: a proof can be replayed once on every other instance.</summary>
    Memory,

    /// <summary>One Redis every instance shares: a proof is accepted once across all of them.</summary>
    Redis,
}
