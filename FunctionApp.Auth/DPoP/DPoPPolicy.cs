using System.Collections.Frozen;
using System.Net;
using System.Text;
using StackExchange.Redis;

namespace FunctionApp.Auth;

/// <summary>The DPoP settings of <see cref="Auth0Options"/>, checked and resolved once, at start-up.</summary>
internal sealed class DPoPPolicy
{
    /// <summary>Shorter secrets are refused: the nonce MAC is only as strong as its key.</summary>
    public const int MinimumNonceSecretLength = 32;

    private DPoPPolicy(DPoPMode mode, IReadOnlyList<string> algorithms, IReadOnlyList<Uri> publicBaseUrls, Auth0Options options)
    {
        Mode = mode;
        Algorithms = algorithms;
        ChallengeAlgorithms = string.Join(' ', algorithms);
        PublicBaseUrls = publicBaseUrls;
        ProofMaxAge = TimeSpan.FromSeconds(options.DPoPProofMaxAgeSeconds);
        ClockSkew = TimeSpan.FromSeconds(options.ClockSkewSeconds);
        NonceKey = string.IsNullOrEmpty(options.DPoPNonceSecret) ? null : Encoding.UTF8.GetBytes(options.DPoPNonceSecret);
        NonceLifetime = TimeSpan.FromSeconds(options.DPoPNonceLifetimeSeconds);
        TrustForwardedHeaders = options.DPoPTrustForwardedHeaders;
        ReplayMemoryBytes = options.DPoPReplayMemoryKilobytes * 1024L;
        ReplayStore = Enum.Parse<DPoPReplayStoreKind>(options.DPoPReplayStore, ignoreCase: true);
        ReplayRedis = ReplayStore == DPoPReplayStoreKind.Redis ? options.DPoPReplayRedis : null;
        ReplayRedisTimeout = TimeSpan.FromMilliseconds(options.DPoPReplayRedisTimeoutMilliseconds);
        ReplayRedisFallbackToMemory = options.DPoPReplayRedisFallbackToMemory;
        ReplayRedisIdentity = Enum.Parse<DPoPReplayRedisIdentity>(options.DPoPReplayRedisIdentity, ignoreCase: true);
        ReplayRedisIdentityClientId = string.IsNullOrEmpty(options.DPoPReplayRedisIdentityClientId) ? null : options.DPoPReplayRedisIdentityClientId;
    }

    public DPoPMode Mode { get; }

    /// <summary>The algorithms a proof may be signed with.</summary>
    public IReadOnlyList<string> Algorithms { get; }

    /// <summary>The algorithms as the <c>algs</c> parameter of a DPoP challenge names them (RFC 9449 7.1): space-separated.</summary>
    public string ChallengeAlgorithms { get; }

    /// <summary>How old a proof's iat may be.</summary>
    public TimeSpan ProofMaxAge { get; }

    /// <summary>How far ahead a proof's iat (and a nonce's time) may be.</summary>
    public TimeSpan ClockSkew { get; }

    /// <summary>The key of the nonce MAC, or null when nonces are off.</summary>
    public byte[]? NonceKey { get; }

    public TimeSpan NonceLifetime { get; }

    /// <summary>The base URLs a proof's htu may name instead of the request's own; empty to use the request's.</summary>
    public IReadOnlyList<Uri> PublicBaseUrls { get; }

    public bool TrustForwardedHeaders { get; }

    /// <summary>The budget of the memory of accepted proofs, in bytes.</summary>
    public long ReplayMemoryBytes { get; }

    public DPoPReplayStoreKind ReplayStore { get; }

    /// <summary>The StackExchange.Redis configuration string of the shared replay store; null unless it is Redis.</summary>
    public string? ReplayRedis { get; }

    /// <summary>How long one call to the shared replay store may take.</summary>
    public TimeSpan ReplayRedisTimeout { get; }

    /// <summary>Whether a proof is checked against this instance's memory when the shared store cannot answer.</summary>
    public bool ReplayRedisFallbackToMemory { get; }

    public DPoPReplayRedisIdentity ReplayRedisIdentity { get; }

    /// <summary>The client ID of the user-assigned identity that signs in to Redis; null for the system-assigned one.</summary>
    public string? ReplayRedisIdentityClientId { get; }

    /// <summary>Resolves the DPoP options, or returns a message naming the first setting that is invalid.</summary>
    public static DPoPPolicy? TryResolve(Auth0Options options, FrozenSet<string> supportedAlgorithms, out string? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(supportedAlgorithms);
        var algorithms = AccessTokenPolicy.AlgorithmList(options.DPoPAlgorithms, supportedAlgorithms);
        var baseUrls = string.IsNullOrWhiteSpace(options.DPoPPublicBaseUrl)
            ? []
            : options.DPoPPublicBaseUrl.Split(',', StringSplitOptions.TrimEntries).Select(ParseBaseUrl).ToArray();
        error = options switch
        {
            // Names only: Enum.TryParse would also take "1".
            _ when !Enum.GetNames<DPoPMode>().Contains(options.DPoPMode, StringComparer.OrdinalIgnoreCase) =>
                "Auth0__DPoPMode must be Disabled, Allowed or Required.",
            _ when algorithms is null => "Auth0__DPoPAlgorithms must list one or more of "
                + string.Join(", ", supportedAlgorithms.Order(StringComparer.Ordinal)) + ".",
            { DPoPProofMaxAgeSeconds: < 1 or > 3600 } => "Auth0__DPoPProofMaxAgeSeconds must be between 1 and 3600.",
            { DPoPNonceSecret.Length: > 0 and < MinimumNonceSecretLength } =>
                $"Auth0__DPoPNonceSecret must be empty (no nonces) or at least {MinimumNonceSecretLength} characters, the same on every instance.",
            { DPoPNonceLifetimeSeconds: < 1 or > 3600 } => "Auth0__DPoPNonceLifetimeSeconds must be between 1 and 3600.",
            { DPoPReplayMemoryKilobytes: < 1 or > 4 * 1024 * 1024 } => "Auth0__DPoPReplayMemoryKilobytes must be between 1 and 4194304 (4 GiB).",
            _ when !Enum.GetNames<DPoPReplayStoreKind>().Contains(options.DPoPReplayStore, StringComparer.OrdinalIgnoreCase) =>
                "Auth0__DPoPReplayStore must be Memory or Redis.",
            _ when string.Equals(options.DPoPReplayStore, nameof(DPoPReplayStoreKind.Redis), StringComparison.OrdinalIgnoreCase)
                && !IsRedisConfiguration(options.DPoPReplayRedis) =>
                "Auth0__DPoPReplayRedis must be a StackExchange.Redis configuration string, such as 127.0.0.1:6379, when Auth0__DPoPReplayStore is Redis.",
            { DPoPReplayRedisTimeoutMilliseconds: < 1 or > 60_000 } => "Auth0__DPoPReplayRedisTimeoutMilliseconds must be between 1 and 60000.",
            _ when !Enum.GetNames<DPoPReplayRedisIdentity>().Contains(options.DPoPReplayRedisIdentity, StringComparer.OrdinalIgnoreCase) =>
                "Auth0__DPoPReplayRedisIdentity must be None or ManagedIdentity.",
            { DPoPReplayRedisIdentityClientId.Length: > 0 } when !Guid.TryParse(options.DPoPReplayRedisIdentityClientId, out _) =>
                "Auth0__DPoPReplayRedisIdentityClientId must be empty (the system-assigned identity) or the client ID, a GUID, of a user-assigned identity.",
            { DPoPReplayRedisIdentityClientId.Length: > 0 }
                when !string.Equals(options.DPoPReplayRedisIdentity, nameof(DPoPReplayRedisIdentity.ManagedIdentity), StringComparison.OrdinalIgnoreCase) =>
                "Auth0__DPoPReplayRedisIdentityClientId is used only with Auth0__DPoPReplayRedisIdentity=ManagedIdentity.",
            _ when string.Equals(options.DPoPReplayStore, nameof(DPoPReplayStoreKind.Redis), StringComparison.OrdinalIgnoreCase)
                && string.Equals(options.DPoPReplayRedisIdentity, nameof(DPoPReplayRedisIdentity.ManagedIdentity), StringComparison.OrdinalIgnoreCase)
                && IdentitySignInConflict(options.DPoPReplayRedis!) is { } conflict => conflict,
            _ when baseUrls.Any(u => u is null) => "Auth0__DPoPPublicBaseUrl must be empty or list absolute https:// URLs with no query "
                + "(http:// only for a loopback address), such as https://api.example.com.",
            _ => null,
        };
        return error is null
            ? new DPoPPolicy(Enum.Parse<DPoPMode>(options.DPoPMode, ignoreCase: true), algorithms!, baseUrls!, options)
            : null;
    }

    // The message never repeats the string: it may hold a password.
    private static bool IsRedisConfiguration(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        try
        {
            return ConfigurationOptions.Parse(text).EndPoints.Count > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    // A token is a credential: it goes to Redis over TLS, but for a server on this machine.
    private static string? IdentitySignInConflict(string configuration)
    {
        var parsed = ConfigurationOptions.Parse(configuration);
        if (!string.IsNullOrEmpty(parsed.User) || !string.IsNullOrEmpty(parsed.Password))
        {
            return "Auth0__DPoPReplayRedis must name no user and no password when Auth0__DPoPReplayRedisIdentity is ManagedIdentity: the identity signs in.";
        }

        return parsed.Ssl || parsed.EndPoints.All(IsLoopback)
            ? null
            : "Auth0__DPoPReplayRedis must turn TLS on (ssl=True) when Auth0__DPoPReplayRedisIdentity is ManagedIdentity, unless Redis is on a loopback address.";
    }

    private static bool IsLoopback(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint ip => IPAddress.IsLoopback(ip.Address),
        DnsEndPoint dns => string.Equals(dns.Host, "localhost", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    private static Uri? ParseBaseUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            return null;
        }

        return uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && AccessTokenPolicy.IsLoopback(uri)) ? uri : null;
    }
}
