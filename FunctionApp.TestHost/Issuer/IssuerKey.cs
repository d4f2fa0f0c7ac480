using System.Security.Cryptography;
using System.Buffers.Text;

namespace FunctionApp.TestHost.Issuer;

/// <summary>An RSA signing key of the local issuer, published in its JWKS under <see cref="Id"/>.</summary>
public sealed class IssuerKey : IDisposable
{
    public IssuerKey(string id)
    {
        Id = id;
        Rsa = RSA.Create(2048);
    }

    public string Id { get; }

    public RSA Rsa { get; }

    /// <summary>The alg the published JWK states the key is for, as Auth0's do; null publishes none.</summary>
    public string? StatedAlgorithm { get; set; } = "RS256";

    /// <summary>The public half as a JWK, as Auth0 publishes it.</summary>
    public Dictionary<string, string> ToJwk()
    {
        var parameters = Rsa.ExportParameters(includePrivateParameters: false);
        var jwk = new Dictionary<string, string>
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["kid"] = Id,
            ["n"] = Base64Url.EncodeToString(parameters.Modulus),
            ["e"] = Base64Url.EncodeToString(parameters.Exponent),
        };
        if (StatedAlgorithm is not null)
        {
            jwk["alg"] = StatedAlgorithm;
        }

        return jwk;
    }

    public void Dispose() => Rsa.Dispose();
}
