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

    /// <summary>The public half as a JWK, as Auth0 publishes it.</summary>
    public Dictionary<string, string> ToJwk()
    {
        var parameters = Rsa.ExportParameters(includePrivateParameters: false);
        return new Dictionary<string, string>
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["alg"] = "RS256",
            ["kid"] = Id,
            ["n"] = Base64Url.EncodeToString(parameters.Modulus),
            ["e"] = Base64Url.EncodeToString(parameters.Exponent),
        };
    }

    public void Dispose() => Rsa.Dispose();
}
