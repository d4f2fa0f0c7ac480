namespace FunctionApp.Auth;

/// <summary>The OAuth error codes a rejection carries: RFC 6749 5.2 and RFC 6750 3.1, and RFC 9449 7.1 and 9 for DPoP.</summary>
internal static class OAuthErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidToken = "invalid_token";
    public const string InsufficientScope = "insufficient_scope";
    public const string TemporarilyUnavailable = "temporarily_unavailable";
    public const string InvalidDPoPProof = "invalid_dpop_proof";
    public const string UseDPoPNonce = "use_dpop_nonce";
}
