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
        Uri authority, string audience, string issuer, IReadOnlyList<string> algorithms, ErrorContract contract, Auth0Options options)
    {
        ErrorContract = contract;
        Authority = authority;
        Audience = audience;
        Issuer = issuer;
        Algorithms = algorithms;
        ClockSkew = TimeSpan.FromSeconds(options.ClockSkewSeconds);
        MinimumRefreshInterval = TimeSpan.FromSeconds(options.MinimumRefreshIntervalSeconds);
        MetadataTimeout = TimeSpan.FromSeconds(options.MetadataTimeoutSeconds);
        VerifiedTokenMemoryBytes = options.VerifiedTokenMemoryKilobytes * 1024L;
    }

    /// <summary>The tenant's base address, ending in a slash.</summary>
    public Uri Authority { get; }

    public Uri MetadataAddress => new(Authority, ".well-known/openid-configuration");

    /// <summary>Plain HTTP is allowed only for an explicit http:// authority on a loopback address.</summary>
    public bool RequireHttps => Authority.Scheme == Uri.UriSchemeHttps;

    public string Audience { get; }

    public string Issuer { get; }

    public IReadOnlyList<string> Algorithms { get; }

    public TimeSpan ClockSkew { get; }

    public TimeSpan MinimumRefreshInterval { get; }

    public TimeSpan MetadataTimeout { get; }

    public ErrorContract ErrorContract { get; }

    /// <summary>The budget of the verified-token memory of one key set, in bytes; 0 turns it off.</summary>
    public long VerifiedTokenMemoryBytes { get; }

    /// <summary>Resolves the options, or returns a message naming the first setting that is missing or invalid.</summary>
    public static AccessTokenPolicy? TryResolve(Auth0Options options, out string? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        error = Validate(options, out var authority, out var algorithms);
        if (error is not null)
        {
            return null;
        }

        var contract = Enum.Parse<ErrorContract>(options.ErrorContract, ignoreCase: true);
        var issuer = string.IsNullOrWhiteSpace(options.Issuer) ? authority!.AbsoluteUri : options.Issuer.Trim();
        return new AccessTokenPolicy(authority!, options.ApiAudience!.Trim(), issuer, algorithms!, contract, options);
    }

    private static string? Validate(Auth0Options options, out Uri? authority, out IReadOnlyList<string>? algorithms)
    {
        authority = null;
        algorithms = null;
        if (string.IsNullOrWhiteSpace(options.Domain))
        {
            return "Auth0__Domain is required: set it to your tenant's domain, for example your-tenant.us.auth0.com.";
        }

        authority = ParseAuthority(options.Domain.Trim());
        if (authority is null)
        {
            return "Auth0__Domain must be a host name such as your-tenant.us.auth0.com or an https:// address with no path; "
                + "http:// is accepted only for a loopback address.";
        }

        if (string.IsNullOrWhiteSpace(options.ApiAudience))
        {
            return "Auth0__ApiAudience is required: set it to your API's identifier (its audience).";
        }

        if (!string.IsNullOrWhiteSpace(options.Issuer) && !Uri.TryCreate(options.Issuer.Trim(), UriKind.Absolute, out _))
        {
            return "Auth0__Issuer must be an absolute URI, for example https://your-tenant.us.auth0.com/.";
        }

        var names = options.Algorithms.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0 || names.Any(n => !SupportedAlgorithms.Contains(n)))
        {
            return "Auth0__Algorithms must list one or more of " + string.Join(", ", SupportedAlgorithms.Order(StringComparer.Ordinal))
                + "; 'none' and HMAC algorithms are never accepted.";
        }

        algorithms = names.Distinct(StringComparer.Ordinal).ToArray();
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

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback && (uri.HostNameType != UriHostNameType.Dns || uri.Host == "localhost")
        || (IPAddress.TryParse(uri.Host, out var address) && IPAddress.IsLoopback(address));
}
