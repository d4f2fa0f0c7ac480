namespace FunctionApp.Auth;

/// <summary>One domain of the tenant (its own, or a custom domain): where its keys are, and the issuer its tokens name.</summary>
/// <param name="Authority">The domain's base address, ending in a slash.</param>
/// <param name="Issuer">The exact iss of the tokens issued through this domain.</param>
internal sealed record Auth0Domain(Uri Authority, string Issuer)
{
    public Uri MetadataAddress => new(Authority, ".well-known/openid-configuration");

    /// <summary>Plain HTTP is allowed only for an explicit http:// authority on a loopback address.</summary>
    public bool RequireHttps => Authority.Scheme == Uri.UriSchemeHttps;
}
