using System.Collections.Frozen;
using System.Net;

namespace FunctionApp.Auth;

/// <summary>
/// What token validation actually uses: the <see cref="Auth0Options"/> checked and resolved once, at start-up
/// (a bad setting stops start-up with a message naming it).
/// </summary>
internal sealed class AccessTokenPolicy
{
    // Asymmetric algorithms only: accepting an HMAC algorithm next to RSA keys invites the key-confusion attack.
    private static readonly FrozenSet<string> SupportedAlgorithms = FrozenSet.Create(
        StringComparer.Ordinal, "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");

    private AccessTokenPolicy(
        IReadOnlyList<Auth0Domain> domains,
        IReadOnlyList<string> audiences,
        IReadOnlyList<string> algorithms,
        ErrorContract contract,
        DPoPPolicy dpop,
        Auth0Options options)
    {
        ErrorContract = contract;
        DPoP = dpop;
        Domains = domains;
        Audiences = audiences;
        Algorithms = algorithms;
        ClockSkew = TimeSpan.FromSeconds(options.ClockSkewSeconds);
        MinimumRefreshInterval = TimeSpan.FromSeconds(options.MinimumRefreshIntervalSeconds);
        MetadataTimeout = TimeSpan.FromSeconds(options.MetadataTimeoutSeconds);
        VerifiedTokenMemoryBytes = options.VerifiedTokenMemoryKilobytes * 1024L;
        RequireAccessTokenByDefault = options.RequireAccessTokenByDefault;
    }

    /// <summary>The tenant's domains, in the order of Auth0__Domain; each token's iss picks one.</summary>
    public IReadOnlyList<Auth0Domain> Domains { get; }

    /// <summary>The API identifiers a token's aud may name; one of them is enough.</summary>
    public IReadOnlyList<string> Audiences { get; }

    public IReadOnlyList<string> Algorithms { get; }

    /// <summary>Whether an unmarked HTTP-triggered function requires a valid token.</summary>
    public bool RequireAccessTokenByDefault { get; }

    public TimeSpan ClockSkew { get; }

    public TimeSpan MinimumRefreshInterval { get; }

    public TimeSpan MetadataTimeout { get; }

    public ErrorContract ErrorContract { get; }

    /// <summary>The budget of the verified-token memory of one key set, in bytes; 0 turns it off.</summary>
    public long VerifiedTokenMemoryBytes { get; }

    /// <summary>How DPoP-bound tokens and their proofs are checked.</summary>
    public DPoPPolicy DPoP { get; }

    /// <summary>Resolves the options, or returns a message naming the first setting that is missing or invalid.</summary>
    public static AccessTokenPolicy? TryResolve(Auth0Options options, out string? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        error = Validate(options, out var domains, out var audiences, out var algorithms);
        if (error is not null)
        {
            return null;
        }

        var dpop = DPoPPolicy.TryResolve(options, SupportedAlgorithms, out error);
        if (dpop is null)
        {
            return null;
        }

        var contract = Enum.Parse<ErrorContract>(options.ErrorContract, ignoreCase: true);
        return new AccessTokenPolicy(domains!, audiences!, algorithms!, contract, dpop, options);
    }

    private static string? Validate(
        Auth0Options options, out IReadOnlyList<Auth0Domain>? domains, out IReadOnlyList<string>? audiences, out IReadOnlyList<string>? algorithms)
    {
        domains = null;
        audiences = null;
        algorithms = null;
        if (string.IsNullOrWhiteSpace(options.Domain))
        {
            return "Auth0__Domain is required: set it to your tenant's domain, for example your-tenant.us.auth0.com "
                + "(several, for custom domains, separated by commas).";
        }

        var domainList = List(options.Domain);
        if (domainList.Any(d => d.Length == 0))
        {
            return "Auth0__Domain has an empty entry: separate the domains by single commas.";
        }

        var authorities = domainList.Select(ParseAuthority).ToArray();
        if (authorities.Any(a => a is null))
        {
            return "Auth0__Domain must be a host name such as your-tenant.us.auth0.com or an https:// address with no path; "
                + "http:// is accepted only for a loopback address.";
        }

        if (string.IsNullOrWhiteSpace(options.ApiAudience))
        {
            return "Auth0__ApiAudience is required: set it to your API's identifier (its audience).";
        }

        var audienceList = List(options.ApiAudience);
        if (audienceList.Any(a => a.Length == 0))
        {
            return "Auth0__ApiAudience has an empty entry: separate the API identifiers by single commas.";
        }

        var issuers = string.IsNullOrWhiteSpace(options.Issuer) ? authorities.Select(a => a!.AbsoluteUri).ToArray() : List(options.Issuer);
        if (issuers.Length != authorities.Length || issuers.Any(i => !Uri.TryCreate(i, UriKind.Absolute, out _)))
        {
            return "Auth0__Issuer must be empty, or list one absolute URI per entry of Auth0__Domain, in the same order "
                + "(for example https://your-tenant.us.auth0.com/).";
        }

        if (issuers.Distinct(StringComparer.Ordinal).Count() != issuers.Length)
        {
            return "Auth0__Domain and Auth0__Issuer name the same issuer twice.";
        }

        domains = authorities.Zip(issuers, (authority, issuer) => new Auth0Domain(authority!, issuer)).ToArray();
        audiences = audienceList.Distinct(StringComparer.Ordinal).ToArray();

        algorithms = AlgorithmList(options.Algorithms, SupportedAlgorithms);
        if (algorithms is null)
        {
            return "Auth0__Algorithms must list one or more of " + string.Join(", ", SupportedAlgorithms.Order(StringComparer.Ordinal))
                + "; 'none' and HMAC algorithms are never accepted.";
        }

        return options switch
        {
            { ClockSkewSeconds: < 0 or > 300 } => "Auth0__ClockSkewSeconds must be between 0 and 300.",
            { MinimumRefreshIntervalSeconds: < 1 or > 86400 } => "Auth0__MinimumRefreshIntervalSeconds must be between 1 and 86400.",
            { MetadataTimeoutSeconds: < 1 or > 60 } => "Auth0__MetadataTimeoutSeconds must be between 1 and 60.",
            { VerifiedTokenMemoryKilobytes: < 0 or > 4 * 1024 * 1024 } => "Auth0__VerifiedTokenMemoryKilobytes must be between 0 and 4194304 (4 GiB).",
            // Names only: Enum.TryParse would also take "1" or "Sample,Rfc6750".
            _ when !Enum.GetNames<ErrorContract>().Contains(options.ErrorContract, StringComparer.OrdinalIgnoreCase) =>
                "Auth0__ErrorContract must be Sample or Rfc6750.",
            _ => null,
        };
    }

    private static string[] List(string value) => value.Split(',', StringSplitOptions.TrimEntries);

    /// <summary>The distinct names of a comma-separated list, or null when it is empty or names one not in <paramref name="supported"/>.</summary>
    internal static string[]? AlgorithmList(string? value, FrozenSet<string> supported)
    {
        var names = (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return names.Length == 0 || names.Any(n => !supported.Contains(n)) ? null : names.Distinct(StringComparer.Ordinal).ToArray();
    }

    private static Uri? ParseAuthority(string domain)
    {
        var text = domain.Contains("://", StringComparison.Ordinal) ? domain : "https://" + domain;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            return null;
        }

        var allowed = uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri));
        return allowed ? new Uri(uri.GetLeftPart(UriPartial.Authority) + "/") : null;
    }

    internal static bool IsLoopback(Uri uri) =>
        uri.IsLoopback && (uri.HostNameType != UriHostNameType.Dns || uri.Host == "localhost")
        || (IPAddress.TryParse(uri.Host, out var address) && IPAddress.IsLoopback(address));
}
