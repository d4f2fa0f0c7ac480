using System.Collections.Frozen;
using System.Net;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FunctionApp.Auth;

/// <summary>
/// The rules of <see cref="Auth0Options"/>, checked as the host starts, after the settings and then the app's code set
/// them: the first rule broken stops start-up with a message naming its setting (docs/settings.md and docs/dpop.md
/// state them).
/// </summary>
internal sealed class Auth0OptionsValidator : IValidateOptions<Auth0Options>
{
    /// <summary>Shorter secrets are refused: the nonce MAC is only as strong as its key.</summary>
    private const int MinimumNonceSecretLength = 32;

    // Asymmetric algorithms only: accepting an HMAC algorithm next to RSA keys invites the key-confusion attack.
    private static readonly FrozenSet<string> SupportedAlgorithms = FrozenSet.Create(
        StringComparer.Ordinal, "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");

    public ValidateOptionsResult Validate(string? name, Auth0Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (TokenRule(options) ?? DPoPRule(options)) is { } broken ? ValidateOptionsResult.Fail(broken) : ValidateOptionsResult.Success;
    }

    private static string? TokenRule(Auth0Options options)
    {
        if (options.Domains.Length == 0)
        {
            return "Auth0__Domain is required: set it to your tenant's domain, for example your-tenant.us.auth0.com "
                + "(several, for custom domains, separated by commas).";
        }

        if (options.Domains.Any(string.IsNullOrWhiteSpace))
        {
            return "Auth0__Domain has an empty entry: separate the domains by single commas.";
        }

        var authorities = options.Domains.Select(SettingUrls.Authority).ToArray();
        if (authorities.Any(a => a is null))
        {
            return "Auth0__Domain must be a host name such as your-tenant.us.auth0.com or an https:// address with no path; "
                + "http:// is accepted only for a loopback address.";
        }

        if (options.Audiences.Length == 0)
        {
            return "Auth0__ApiAudience is required: set it to your API's identifier (its audience).";
        }

        if (options.Audiences.Any(string.IsNullOrWhiteSpace))
        {
            return "Auth0__ApiAudience has an empty entry: separate the API identifiers by single commas.";
        }

        var issuers = options.Issuers.Length == 0 ? authorities.Select(a => a!.AbsoluteUri).ToArray() : options.Issuers;
        if (issuers.Length != authorities.Length || issuers.Any(i => !Uri.TryCreate(i, UriKind.Absolute, out _)))
        {
            return "Auth0__Issuer must be empty, or list one absolute URI per entry of Auth0__Domain, in the same order "
                + "(for example https://your-tenant.us.auth0.com/).";
        }

        if (issuers.Distinct(StringComparer.Ordinal).Count() != issuers.Length)
        {
            return "Auth0__Domain and Auth0__Issuer name the same issuer twice.";
        }

        return options switch
        {
            _ when !IsAlgorithmList(options.Algorithms) => "Auth0__Algorithms must list one or more of " + SupportedAlgorithmNames()
                + "; 'none' and HMAC algorithms are never accepted.",
            _ when OutOfRange(options.ClockSkew, TimeSpan.Zero, TimeSpan.FromSeconds(300)) => "Auth0__ClockSkewSeconds must be between 0 and 300.",
            _ when OutOfRange(options.MinimumRefreshInterval, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(86400)) =>
                "Auth0__MinimumRefreshIntervalSeconds must be between 1 and 86400.",
            _ when OutOfRange(options.MetadataTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60)) => "Auth0__MetadataTimeoutSeconds must be between 1 and 60.",
            { VerifiedTokenMemoryKilobytes: < 0 or > 4 * 1024 * 1024 } => "Auth0__VerifiedTokenMemoryKilobytes must be between 0 and 4194304 (4 GiB).",
            _ when !Enum.IsDefined(options.ErrorContract) => "Auth0__ErrorContract must be Sample or Rfc6750.",
            _ => null,
        };
    }

    private static string? DPoPRule(Auth0Options options) => options switch
    {
        _ when !Enum.IsDefined(options.DPoPMode) => "Auth0__DPoPMode must be Disabled, Allowed or Required.",
        _ when !IsAlgorithmList(options.DPoPAlgorithms) => "Auth0__DPoPAlgorithms must list one or more of " + SupportedAlgorithmNames() + ".",
        _ when OutOfRange(options.DPoPProofMaxAge, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3600)) =>
            "Auth0__DPoPProofMaxAgeSeconds must be between 1 and 3600.",
        { DPoPNonceSecret.Length: > 0 and < MinimumNonceSecretLength } =>
            $"Auth0__DPoPNonceSecret must be empty (no nonces) or at least {MinimumNonceSecretLength} characters, the same on every instance.",
        _ when OutOfRange(options.DPoPNonceLifetime, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3600)) =>
            "Auth0__DPoPNonceLifetimeSeconds must be between 1 and 3600.",
        { DPoPReplayMemoryKilobytes: < 1 or > 4 * 1024 * 1024 } => "Auth0__DPoPReplayMemoryKilobytes must be between 1 and 4194304 (4 GiB).",
        _ when !Enum.IsDefined(options.DPoPReplayStore) => "Auth0__DPoPReplayStore must be Memory or Redis.",
        { DPoPReplayStore: DPoPReplayStoreKind.Redis } when !IsRedisConfiguration(options.DPoPReplayRedis) =>
            "Auth0__DPoPReplayRedis must be a StackExchange.Redis configuration string, such as 127.0.0.1:6379, when Auth0__DPoPReplayStore is Redis.",
        _ when OutOfRange(options.DPoPReplayRedisTimeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(60_000)) =>
            "Auth0__DPoPReplayRedisTimeoutMilliseconds must be between 1 and 60000.",
        _ when !Enum.IsDefined(options.DPoPReplayRedisIdentity) => "Auth0__DPoPReplayRedisIdentity must be None or ManagedIdentity.",
        { DPoPReplayRedisIdentityClientId.Length: > 0 } when !Guid.TryParse(options.DPoPReplayRedisIdentityClientId, out _) =>
            "Auth0__DPoPReplayRedisIdentityClientId must be empty (the system-assigned identity) or the client ID, a GUID, of a user-assigned identity.",
        { DPoPReplayRedisIdentityClientId.Length: > 0, DPoPReplayRedisIdentity: not DPoPReplayRedisIdentity.ManagedIdentity } =>
            "Auth0__DPoPReplayRedisIdentityClientId is used only with Auth0__DPoPReplayRedisIdentity=ManagedIdentity.",
        { DPoPReplayStore: DPoPReplayStoreKind.Redis, DPoPReplayRedisIdentity: DPoPReplayRedisIdentity.ManagedIdentity }
            when IdentitySignInConflict(options.DPoPReplayRedis!) is { } conflict => conflict,
        _ when options.DPoPPublicBaseUrls.Any(url => SettingUrls.PublicBaseUrl(url) is null) =>
            "Auth0__DPoPPublicBaseUrl must be empty or list absolute https:// URLs with no query "
            + "(http:// only for a loopback address), such as https://api.example.com.",
        _ => null,
    };

    private static bool IsAlgorithmList(string[] names) => names.Length > 0 && names.All(SupportedAlgorithms.Contains);

    private static string SupportedAlgorithmNames() => string.Join(", ", SupportedAlgorithms.Order(StringComparer.Ordinal));

    private static bool OutOfRange(TimeSpan value, TimeSpan least, TimeSpan most) => value < least || value > most;

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
}
