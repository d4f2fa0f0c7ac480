using System.Collections.Frozen;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace FunctionApp.Auth;

/// <summary>One fetched set of signing keys with the validation parameters that use them.</summary>
public sealed class SigningKeys
{
    private readonly FrozenSet<string> _keyIds;

    public SigningKeys(OpenIdConnectConfiguration configuration, Auth0Settings settings)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        Configuration = configuration;
        _keyIds = configuration.SigningKeys
            .Select(k => k.KeyId)
            .Where(id => !string.IsNullOrEmpty(id))
            .ToFrozenSet(StringComparer.Ordinal);
        Parameters = Auth0TokenValidationParameters.Create(settings, configuration.SigningKeys);
    }

    public OpenIdConnectConfiguration Configuration { get; }

    public TokenValidationParameters Parameters { get; }

    public bool Contains(string keyId) => _keyIds.Contains(keyId);
}
