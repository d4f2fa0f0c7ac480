using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect.Configuration;

namespace FunctionApp.Auth;

/// <summary>
/// Refuses a discovery document that names another issuer than the one it was fetched for, or that brings no
/// signing keys: the configuration manager then keeps the keys it had, so a broken or foreign answer never replaces
/// good keys, and one domain's document can never supply keys for another's tokens.
/// </summary>
internal sealed class DiscoveryDocumentValidator(string issuer) : IConfigurationValidator<OpenIdConnectConfiguration>
{
    private readonly OpenIdConnectConfigurationValidator _keys = new();

    public ConfigurationValidationResult Validate(OpenIdConnectConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return string.Equals(configuration.Issuer, issuer, StringComparison.Ordinal)
            ? _keys.Validate(configuration)
            : new ConfigurationValidationResult { Succeeded = false, ErrorMessage = "The discovery document names another issuer." };
    }
}
