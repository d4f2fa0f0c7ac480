namespace FunctionApp.TestHost.Issuer;

/// <summary>What the token endpoint makes of a DPoP proof: the thumbprint of the key it proves, or the error to answer.</summary>
public sealed class DPoPProofOutcome
{
    private DPoPProofOutcome()
    {
    }

    /// <summary>The RFC 7638 thumbprint of the proof's key, for the token's cnf.jkt; null when refused.</summary>
    public string? Jkt { get; private init; }

    /// <summary>The OAuth error code: invalid_dpop_proof or use_dpop_nonce; null when accepted.</summary>
    public string? Error { get; private init; }

    public string? Description { get; private init; }

    /// <summary>With use_dpop_nonce, the fresh nonce to send in the DPoP-Nonce header.</summary>
    public string? Nonce { get; private init; }

    public static DPoPProofOutcome Accepted(string jkt) => new() { Jkt = jkt };

    public static DPoPProofOutcome Invalid(string description) => new() { Error = "invalid_dpop_proof", Description = description };

    public static DPoPProofOutcome UseNonce(string nonce) =>
        new() { Error = "use_dpop_nonce", Description = "Authorization server requires nonce in DPoP proof", Nonce = nonce };
}
