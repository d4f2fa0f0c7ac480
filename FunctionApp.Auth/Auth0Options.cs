using System.Text;

namespace FunctionApp.Auth;

/// <summary>
/// The app settings of section <c>Auth0</c> (<c>Auth0__Domain</c> and so on), with the sample's meaning; each property
/// names the setting it is read from. What <c>UseAuth0AccessTokens(o => …)</c> sets wins over the settings, and both
/// are checked as the host starts.
/// </summary>
public sealed class Auth0Options
{
    /// <summary>The configuration section the settings are read from: <c>Auth0</c>.</summary>
    public const string SectionName = "Auth0";

    // Derived from the settings on first use, which the host allows only once they passed Auth0OptionsValidator.
    private IReadOnlyList<Auth0Domain>? _tenantDomains;
    private IReadOnlyList<Uri>? _dpopPublicBaseUris;
    private byte[]? _dpopNonceKey;
    private string? _dpopChallengeAlgorithms;

    /// <summary>Code of the app's own run at two points of a request (not a setting: set it in code).</summary>
    public AccessTokenEvents Events { get; set; } = new();

    /// <summary>The tenant's domains (<c>Auth0__Domain</c>, DOMAIN): <c>tenant.auth0.com</c> or <c>https://tenant.auth0.com/</c>; several for custom domains.</summary>
    public string[] Domains { get; set; } = [];

    /// <summary>The API identifiers tokens must carry in <c>aud</c> (<c>Auth0__ApiAudience</c>, API_AUDIENCE), any one of which will do.</summary>
    public string[] Audiences { get; set; } = [];

    /// <summary>The exact <c>iss</c> tokens must carry (<c>Auth0__Issuer</c>, ISSUER), one per domain in the same order; empty for <c>https://{domain}/</c> each.</summary>
    public string[] Issuers { get; set; } = [];

    /// <summary>
    /// Every HTTP-triggered function requires a valid access token unless it is marked
    /// <see cref="AllowAnonymousAccessAttribute"/>, as with a fallback authorization policy; off, only the functions
    /// marked <see cref="RequireAccessTokenAttribute"/> do (<c>Auth0__RequireAccessTokenByDefault</c>).
    /// </summary>
    public bool RequireAccessTokenByDefault { get; set; }

    /// <summary>The signing algorithms to accept (<c>Auth0__Algorithms</c>, ALGORITHMS).</summary>
    public string[] Algorithms { get; set; } = ["RS256"];

    /// <summary>Tolerance for clocks that disagree, applied to exp, nbf and iat (<c>Auth0__ClockSkewSeconds</c>).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Least time between two key refreshes caused by unknown kids, so random kids cannot flood the tenant
    /// (<c>Auth0__MinimumRefreshIntervalSeconds</c>).
    /// </summary>
    public TimeSpan MinimumRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How rejections are answered (<c>Auth0__ErrorContract</c>).</summary>
    public ErrorContract ErrorContract { get; set; } = ErrorContract.Sample;

    /// <summary>
    /// How much memory, in kilobytes, the tokens already verified may take, so a client's next request skips the
    /// signature check; 0 turns the memory off (<c>Auth0__VerifiedTokenMemoryKilobytes</c>).
    /// </summary>
    public int VerifiedTokenMemoryKilobytes { get; set; } = 16 * 1024;

    /// <summary>How long one fetch of the OpenID configuration or the JWKS may take (<c>Auth0__MetadataTimeoutSeconds</c>).</summary>
    public TimeSpan MetadataTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether DPoP-bound tokens (RFC 9449) are accepted (<c>Auth0__DPoPMode</c>).</summary>
    public DPoPMode DPoPMode { get; set; } = DPoPMode.Allowed;

    /// <summary>The algorithms a DPoP proof may be signed with (<c>Auth0__DPoPAlgorithms</c>).</summary>
    public string[] DPoPAlgorithms { get; set; } = ["ES256"];

    /// <summary>How old a DPoP proof's iat may be (<c>Auth0__DPoPProofMaxAgeSeconds</c>); how far ahead it may be is <see cref="ClockSkew"/>.</summary>
    public TimeSpan DPoPProofMaxAge { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// The secret every instance of the app shares to make and check DPoP server nonces (at least 32 characters);
    /// empty turns nonces off (<c>Auth0__DPoPNonceSecret</c>).
    /// </summary>
    public string? DPoPNonceSecret { get; set; }

    /// <summary>How long a DPoP server nonce is accepted after it was made (<c>Auth0__DPoPNonceLifetimeSeconds</c>).</summary>
    public TimeSpan DPoPNonceLifetime { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// The public base URLs clients call the app at, such as <c>https://api.example.com</c>, that a proof's htu is
    /// compared against in place of the URL the Functions host reports (<c>Auth0__DPoPPublicBaseUrl</c>).
    /// </summary>
    public string[] DPoPPublicBaseUrls { get; set; } = [];

    /// <summary>
    /// Take the scheme and host a proof's htu is compared against from X-Forwarded-Proto and X-Forwarded-Host
    /// (<c>Auth0__DPoPTrustForwardedHeaders</c>).
    /// </summary>
    public bool DPoPTrustForwardedHeaders { get; set; }

    /// <summary>
    /// How much memory, in kilobytes, the identifiers of accepted DPoP proofs may take, to refuse a proof used twice; the
    /// default holds what one instance accepts in five minutes at about 5,500 DPoP requests a second
    /// (<c>Auth0__DPoPReplayMemoryKilobytes</c>).
    /// </summary>
    public int DPoPReplayMemoryKilobytes { get; set; } = 128 * 1024;

    /// <summary>Where accepted DPoP proofs are remembered (<c>Auth0__DPoPReplayStore</c>).</summary>
    public DPoPReplayStoreKind DPoPReplayStore { get; set; } = DPoPReplayStoreKind.Memory;

    /// <summary>
    /// The StackExchange.Redis configuration string of the shared replay store, such as <c>127.0.0.1:6379</c>
    /// (<c>Auth0__DPoPReplayRedis</c>).
    /// </summary>
    public string? DPoPReplayRedis { get; set; }

    /// <summary>How the shared replay store signs in to Redis (<c>Auth0__DPoPReplayRedisIdentity</c>).</summary>
    public DPoPReplayRedisIdentity DPoPReplayRedisIdentity { get; set; } = DPoPReplayRedisIdentity.None;

    /// <summary>
    /// The client ID of the user-assigned identity to sign in to Redis with; empty for the system-assigned one
    /// (<c>Auth0__DPoPReplayRedisIdentityClientId</c>).
    /// </summary>
    public string? DPoPReplayRedisIdentityClientId { get; set; }

    /// <summary>
    /// How long one call to the shared replay store may take before the request is answered 503
    /// (<c>Auth0__DPoPReplayRedisTimeoutMilliseconds</c>).
    /// </summary>
    public TimeSpan DPoPReplayRedisTimeout { get; set; } = TimeSpan.FromMilliseconds(1000);

    /// <summary>
    /// When the shared replay store cannot answer, check the proof against this instance's memory instead of answering
    /// 503: DPoP keeps working, but a proof can then be replayed once on each instance
    /// (<c>Auth0__DPoPReplayRedisFallbackToMemory</c>).
    /// </summary>
    public bool DPoPReplayRedisFallbackToMemory { get; set; }

    /// <summary>The tenant's domains, in the order of <see cref="Domains"/>, each with the issuer its tokens name; a token's iss picks one.</summary>
    internal IReadOnlyList<Auth0Domain> TenantDomains => _tenantDomains ??= [.. Domains.Select((domain, i) =>
    {
        var authority = SettingUrls.Authority(domain) ?? throw NotValidated();
        return new Auth0Domain(authority, Issuers.Length == 0 ? authority.AbsoluteUri : Issuers[i]);
    })];

    /// <summary>The base URLs a proof's htu may name instead of the request's own; empty to use the request's.</summary>
    internal IReadOnlyList<Uri> DPoPPublicBaseUris =>
        _dpopPublicBaseUris ??= [.. DPoPPublicBaseUrls.Select(url => SettingUrls.PublicBaseUrl(url) ?? throw NotValidated())];

    /// <summary>The key of the nonce MAC, or null when nonces are off.</summary>
    internal byte[]? DPoPNonceKey =>
        string.IsNullOrEmpty(DPoPNonceSecret) ? null : (_dpopNonceKey ??= Encoding.UTF8.GetBytes(DPoPNonceSecret));

    /// <summary>The DPoP algorithms as the <c>algs</c> parameter of a DPoP challenge names them (RFC 9449 7.1): space-separated.</summary>
    internal string DPoPChallengeAlgorithms => _dpopChallengeAlgorithms ??= string.Join(' ', DPoPAlgorithms);

    private static InvalidOperationException NotValidated() =>
        new("The Auth0 options were read before Auth0OptionsValidator accepted them.");
}
