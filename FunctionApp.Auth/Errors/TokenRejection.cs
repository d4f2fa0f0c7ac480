namespace FunctionApp.Auth;

/// <summary>
/// Why a request to a protected function was refused: its error code and reason, when it can happen, and its challenge,
/// the same under every error contract (the status and body are the contract's, <see cref="ErrorContractAnswers"/>).
/// </summary>
internal sealed class TokenRejection
{
    private readonly bool _dpopOnly;

    private TokenRejection(string error, string reason, bool dpopOnly = false)
    {
        Error = error;
        Reason = reason;
        _dpopOnly = dpopOnly || error is OAuthErrorCodes.InvalidDPoPProof or OAuthErrorCodes.UseDPoPNonce;
    }

    public static TokenRejection NotAuthenticated { get; } = new(OAuthErrorCodes.InvalidRequest, "Not authenticated");

    public static TokenRejection InvalidCredentials { get; } = new(OAuthErrorCodes.InvalidRequest, "Invalid authentication credentials");

    public static TokenRejection Expired { get; } = InvalidToken("Token has expired");

    public static TokenRejection NotYetValid { get; } = InvalidToken("Token is not yet valid");

    public static TokenRejection NoExpiry { get; } = InvalidToken("Token has no expiry");

    public static TokenRejection InvalidAudience { get; } = InvalidToken("Invalid audience");

    public static TokenRejection InvalidIssuer { get; } = InvalidToken("Invalid issuer");

    public static TokenRejection NoMatchingKey { get; } = InvalidToken("No signing key matches the token");

    public static TokenRejection InvalidSignature { get; } = InvalidToken("Invalid signature");

    public static TokenRejection AlgorithmNotAllowed { get; } = InvalidToken("Algorithm not allowed");

    public static TokenRejection UnsupportedCriticalHeader { get; } = InvalidToken("Unsupported critical header");

    public static TokenRejection TooLarge { get; } = InvalidToken("Token is too large");

    public static TokenRejection Malformed { get; } = InvalidToken("Malformed token");

    public static TokenRejection InsufficientScope { get; } = new(OAuthErrorCodes.InsufficientScope, "Insufficient scope");

    public static TokenRejection KeysUnavailable { get; } = new(OAuthErrorCodes.TemporarilyUnavailable, "Signing keys are unavailable; try again later");

    public static TokenRejection DPoPRequired { get; } = new(OAuthErrorCodes.InvalidRequest, "DPoP is required");

    /// <summary>A token bound to a key (cnf.jkt) sent as a bearer token: whoever sends it has not shown they hold the key.</summary>
    public static TokenRejection BoundTokenAsBearer { get; } = InvalidToken("Token is bound to a key; send it with the DPoP scheme and a proof");

    public static TokenRejection TokenNotBound { get; } = new(OAuthErrorCodes.InvalidToken, "Token is not bound to a DPoP key", dpopOnly: true);

    /// <summary>A cnf claim without jkt, such as a certificate binding (RFC 8705): a binding this API cannot check.</summary>
    public static TokenRejection UnsupportedBinding { get; } = InvalidToken("Token is bound in a way this API cannot check");

    public static TokenRejection MissingProof { get; } = InvalidProof("Missing DPoP proof");

    public static TokenRejection SeveralProofs { get; } = InvalidProof("More than one DPoP proof");

    public static TokenRejection ProofTooLarge { get; } = InvalidProof("DPoP proof is too large");

    public static TokenRejection MalformedProof { get; } = InvalidProof("Malformed DPoP proof");

    public static TokenRejection ProofType { get; } = InvalidProof("DPoP proof typ is not dpop+jwt");

    public static TokenRejection ProofAlgorithm { get; } = InvalidProof("DPoP proof algorithm not allowed");

    public static TokenRejection ProofCriticalHeader { get; } = InvalidProof("Unsupported critical header in DPoP proof");

    public static TokenRejection ProofPrivateKey { get; } = InvalidProof("DPoP proof jwk contains private key members");

    public static TokenRejection ProofKey { get; } = InvalidProof("DPoP proof jwk is not a public key for its algorithm");

    public static TokenRejection ProofMethod { get; } = InvalidProof("DPoP proof htm does not match the request method");

    public static TokenRejection ProofUrl { get; } = InvalidProof("DPoP proof htu does not match the request URL");

    public static TokenRejection ProofNoIssuedAt { get; } = InvalidProof("DPoP proof has no iat");

    public static TokenRejection ProofTooOld { get; } = InvalidProof("DPoP proof is too old");

    public static TokenRejection ProofFromFuture { get; } = InvalidProof("DPoP proof is issued in the future");

    public static TokenRejection ProofNoId { get; } = InvalidProof("DPoP proof has no jti");

    public static TokenRejection ProofTokenHash { get; } = InvalidProof("DPoP proof ath does not match the access token");

    public static TokenRejection ProofKeyMismatch { get; } = InvalidProof("DPoP proof key does not match the token's cnf.jkt");

    public static TokenRejection ProofSignature { get; } = InvalidProof("Invalid DPoP proof signature");

    public static TokenRejection ProofReplayed { get; } = InvalidProof("DPoP proof has been used before");

    public static TokenRejection MissingNonce { get; } = new(OAuthErrorCodes.UseDPoPNonce, "DPoP proof needs the server's nonce");

    public static TokenRejection StaleNonce { get; } = new(OAuthErrorCodes.UseDPoPNonce, "DPoP proof nonce is stale or unknown");

    public static TokenRejection ReplayMemoryFull { get; } =
        new(OAuthErrorCodes.TemporarilyUnavailable, "Too many DPoP proofs to remember; try again later", dpopOnly: true);

    /// <summary>The shared replay store did not answer: a proof nobody can tell is fresh is not accepted.</summary>
    public static TokenRejection ReplayStoreUnavailable { get; } =
        new(OAuthErrorCodes.TemporarilyUnavailable, "DPoP replay store is unavailable; try again later", dpopOnly: true);

    /// <summary>Every rejection there is: the error contracts build their bodies once, the API docs list them.</summary>
    public static IReadOnlyList<TokenRejection> All { get; } =
    [
        NotAuthenticated, InvalidCredentials, Expired, NotYetValid, NoExpiry, InvalidAudience, InvalidIssuer, NoMatchingKey,
        InvalidSignature, AlgorithmNotAllowed, UnsupportedCriticalHeader, TooLarge, Malformed, InsufficientScope, KeysUnavailable,
        DPoPRequired, BoundTokenAsBearer, TokenNotBound, UnsupportedBinding, MissingProof, SeveralProofs, ProofTooLarge,
        MalformedProof, ProofType, ProofAlgorithm, ProofCriticalHeader, ProofPrivateKey, ProofKey, ProofMethod, ProofUrl,
        ProofNoIssuedAt, ProofTooOld, ProofFromFuture, ProofNoId, ProofTokenHash, ProofKeyMismatch, ProofSignature,
        ProofReplayed, MissingNonce, StaleNonce, ReplayMemoryFull, ReplayStoreUnavailable,
    ];

    /// <summary>The OAuth error code (RFC 6749 5.2, RFC 6750 3.1).</summary>
    public string Error { get; }

    /// <summary>A short, stable sentence; never token content.</summary>
    public string Reason { get; }

    /// <summary>True when the fault is the server's: the answer carries Retry-After and no challenge.</summary>
    public bool RetryLater => Error == OAuthErrorCodes.TemporarilyUnavailable;

    /// <summary>True for a valid token that lacks a permission: only then does the challenge name a scope.</summary>
    public bool IsInsufficientScope => Error == OAuthErrorCodes.InsufficientScope;

    /// <summary>True when a request can get this rejection under <paramref name="options"/>, for the API docs.</summary>
    public bool AppliesTo(Auth0Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return this == DPoPRequired ? options.DPoPMode == DPoPMode.Required
            : this == BoundTokenAsBearer ? options.DPoPMode != DPoPMode.Required
            : Error == OAuthErrorCodes.UseDPoPNonce ? options.DPoPMode != DPoPMode.Disabled && options.DPoPNonceKey is not null
            : !_dpopOnly || options.DPoPMode != DPoPMode.Disabled;
    }

    /// <summary>
    /// The WWW-Authenticate value, or null for none: a challenge for each scheme <paramref name="options"/> accepts, the
    /// error on the one the request used (<paramref name="used"/>), the scope named for insufficient scope. Challenges
    /// are separated by a bare comma: the form the worker writes under its gRPC HTTP model (it parses the value and
    /// joins the challenges so), which ASP.NET Core integration then sends unchanged, so both models send one value.
    /// </summary>
    public string? Challenge(string requiredScope, CredentialScheme used, Auth0Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (RetryLater)
        {
            return null;
        }

        var parameters = Error switch
        {
            // RFC 6750 3.1: a request without credentials gets a challenge with no error code.
            OAuthErrorCodes.InvalidRequest => null,
            OAuthErrorCodes.InsufficientScope => $"error=\"{Error}\", scope=\"{requiredScope}\"",
            _ => $"error=\"{Error}\", error_description=\"{Reason}\"",
        };
        var onDPoP = options.DPoPMode != DPoPMode.Disabled
            && (used == CredentialScheme.DPoP || Error is OAuthErrorCodes.InvalidDPoPProof or OAuthErrorCodes.UseDPoPNonce);
        var bearer = options.DPoPMode == DPoPMode.Required ? null : onDPoP || parameters is null ? "Bearer" : "Bearer " + parameters;
        // RFC 9449 7.1: the DPoP challenge names the algorithms a proof may use.
        var proof = options.DPoPMode == DPoPMode.Disabled ? null
            : onDPoP && parameters is not null ? $"DPoP {parameters}, algs=\"{options.DPoPChallengeAlgorithms}\""
            : $"DPoP algs=\"{options.DPoPChallengeAlgorithms}\"";
        return (bearer, proof) switch
        {
            (null, _) => proof,
            (_, null) => bearer,
            _ => onDPoP ? $"{proof},{bearer}" : $"{bearer},{proof}",
        };
    }

    /// <summary>A token the app's own check refused (<see cref="TokenValidatedContext.Fail"/>), answered as an invalid token.</summary>
    public static TokenRejection RefusedByApp(string reason) => InvalidToken(reason);

    private static TokenRejection InvalidToken(string reason) => new(OAuthErrorCodes.InvalidToken, reason);

    private static TokenRejection InvalidProof(string reason) => new(OAuthErrorCodes.InvalidDPoPProof, reason);
}
