namespace FunctionApp.Auth;

/// <summary>The app settings of section <c>Auth0</c> (<c>Auth0__Domain</c> and so on), with the sample's meaning.</summary>
public sealed class Auth0Options
{
    public const string SectionName = "Auth0";

    /// <summary>The tenant's domain (DOMAIN): <c>tenant.auth0.com</c> or <c>https://tenant.auth0.com/</c>; several, comma-separated, for custom domains.</summary>
    public string? Domain { get; set; }

    /// <summary>The API identifier that tokens must carry in <c>aud</c> (API_AUDIENCE); several, comma-separated, any one of which will do.</summary>
    public string? ApiAudience { get; set; }

    /// <summary>The exact <c>iss</c> tokens must carry (ISSUER), one per domain in the same order; defaults to <c>https://{domain}/</c> for each.</summary>
    public string? Issuer { get; set; }

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
}
