namespace FunctionApp.Auth;

/// <summary>The app settings of section <c>Auth0</c> (<c>Auth0__Domain</c> and so on), with the sample's meaning.</summary>
public sealed class Auth0Options
{
    /// <summary>The configuration section the settings are read from: <c>Auth0</c>.</summary>
    public const string SectionName = "Auth0";

    /// <summary>Code of the app's own run at two points of a request (not a setting: set it in code).</summary>
    public AccessTokenEvents Events { get; set; } = new();

    /// <summary>The tenant's domain (DOMAIN): <c>tenant.auth0.com</c> or <c>https://tenant.auth0.com/</c>; several, comma-separated, for custom domains.</summary>
    public string? Domain { get; set; }

    /// <summary>The API identifier that tokens must carry in <c>aud</c> (API_AUDIENCE); several, comma-separated, any one of which will do.</summary>
    public string? ApiAudience { get; set; }

    /// <summary>The exact <c>iss</c> tokens must carry (ISSUER), one per domain in the same order; defaults to <c>https://{domain}/</c> for each.</summary>
    public string? Issuer { get; set; }

    /// <summary>
    /// Every HTTP-triggered function requires a valid access token unless it is marked
    /// <see cref="AllowAnonymousAccessAttribute"/>, as with a fallback authorization policy; off, only the functions
    /// marked <see cref="RequireAccessTokenAttribute"/> do.
    /// </summary>
    public bool RequireAccessTokenByDefault { get; set; }

    /// <summary>Comma-separated signing algorithms to accept (ALGORITHMS).</summary>
    public string Algorithms { get; set; } = "RS256";

    /// <summary>Tolerance for clocks that disagree, applied to exp, nbf and iat.</summary>
    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>Least time between two key refreshes caused by unknown kids, so random kids cannot flood the tenant.</summary>
    public int MinimumRefreshIntervalSeconds { get; set; } = 30;

    /// <summary>How rejections are answered: <c>Sample</c> (the sample's bodies) or <c>Rfc6750</c>.</summary>
    public string ErrorContract { get; set; } = nameof(Auth.ErrorContract.Sample);

    /// <summary>
    /// How much memory, in kilobytes, the tokens already verified may take, so a client's next request skips the
    /// signature check; 0 turns the memory off.
    /// </summary>
    public int VerifiedTokenMemoryKilobytes { get; set; } = 16 * 1024;

    /// <summary>How long one fetch of the OpenID configuration or the JWKS may take.</summary>
    public int MetadataTimeoutSeconds { get; set; } = 5;

    /// <summary>Whether DPoP-bound tokens (RFC 9449) are accepted: <c>Disabled</c>, <c>Allowed</c> or <c>Required</c>.</summary>
    public string DPoPMode { get; set; } = nameof(Auth.DPoPMode.Allowed);

    /// <summary>Comma-separated algorithms a DPoP proof may be signed with.</summary>
    public string DPoPAlgorithms { get; set; } = "ES256";

    /// <summary>How old a DPoP proof's iat may be; how far ahead it may be is <see cref="ClockSkewSeconds"/>.</summary>
    public int DPoPProofMaxAgeSeconds { get; set; } = 300;

    /// <summary>
    /// The secret every instance of the app shares to make and check DPoP server nonces (at least 32 characters);
    /// empty turns nonces off.
    /// </summary>
    public string? DPoPNonceSecret { get; set; }

    /// <summary>How long a DPoP server nonce is accepted after it was made.</summary>
    public int DPoPNonceLifetimeSeconds { get; set; } = 120;

    /// <summary>
    /// The public base URL (or several, comma-separated) clients call the app at, such as <c>https://api.example.com</c>,
    /// that a proof's htu is compared against in place of the URL the Functions host reports.
    /// </summary>
    public string? DPoPPublicBaseUrl { get; set; }

    /// <summary>Take the scheme and host a proof's htu is compared against from X-Forwarded-Proto and X-Forwarded-Host.</summary>
    public bool DPoPTrustForwardedHeaders { get; set; }

    /// <summary>
    /// How much memory, in kilobytes, the identifiers of accepted DPoP proofs may take, to refuse a proof used twice; the
    /// default holds what one instance accepts in five minutes at about 5,500 DPoP requests a second.
    /// </summary>
    public int DPoPReplayMemoryKilobytes { get; set; } = 128 * 1024;

    /// <summary>
    /// Where accepted DPoP proofs are remembered: <c>Memory</c>, each instance its own (a proof can be replayed once on
    /// every other instance), or <c>Redis</c>, one store all instances share (<see cref="DPoPReplayRedis"/>).
    /// </summary>
    public string DPoPReplayStore { get; set; } = nameof(DPoPReplayStoreKind.Memory);

    /// <summary>The StackExchange.Redis configuration string of the shared replay store, such as <c>127.0.0.1:6379</c>.</summary>
    public string? DPoPReplayRedis { get; set; }

    /// <summary>
    /// How the shared replay store signs in to Redis: <c>None</c>, as <see cref="DPoPReplayRedis"/> says, or
    /// <c>ManagedIdentity</c>, with a Microsoft Entra token of the app's managed identity, in Azure.
    /// </summary>
    public string DPoPReplayRedisIdentity { get; set; } = nameof(Auth.DPoPReplayRedisIdentity.None);

    /// <summary>The client ID of the user-assigned identity to sign in to Redis with; empty for the system-assigned one.</summary>
    public string? DPoPReplayRedisIdentityClientId { get; set; }

    /// <summary>How long one call to the shared replay store may take before the request is answered 503.</summary>
    public int DPoPReplayRedisTimeoutMilliseconds { get; set; } = 1000;

    /// <summary>
    /// When the shared replay store cannot answer, check the proof against this instance's memory instead of answering
    /// 503: DPoP keeps working, but a proof can then be replayed once on each instance.
    /// </summary>
    public bool DPoPReplayRedisFallbackToMemory { get; set; }
}
