using System.Buffers.Text;
using System.Security.Cryptography;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>Which published key verifies a token: the one its kid names whose type fits its alg, and only a signing key.</summary>
public sealed class SigningKeySelectionTests
{
    [Fact]
    public async Task A_kid_shared_by_an_EC_key_and_an_RSA_key_verifies_an_RS256_token_with_the_RSA_key()
    {
        await using var app = await AppFixture.StartAsync(
            configureIssuer: issuer => issuer.AlsoPublish(EcJwk(issuer.SigningKey.Id, use: "sig")));

        using var response = await app.GetPrivateWithTokenAsync(app.Issuer.CreateToken());

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task A_kid_that_names_only_an_encryption_key_matches_no_signing_key()
    {
        // The issuer's own signing key, published once more as an encryption key: usable, were use ignored.
        await using var app = await AppFixture.StartAsync(configureIssuer: issuer =>
        {
            var jwk = issuer.SigningKey.ToJwk();
            (jwk["kid"], jwk["use"]) = ("encryption-key", "enc");
            issuer.AlsoPublish(jwk);
        });

        using var response = await app.GetPrivateWithTokenAsync(app.Issuer.CreateToken(keyId: "encryption-key"));

        await ResponseAssert.InvalidTokenAsync(response, "No signing key matches the token");
    }

    private static Dictionary<string, string> EcJwk(string kid, string use)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var point = key.ExportParameters(includePrivateParameters: false).Q;
        return new() { ["kty"] = "EC", ["crv"] = "P-256", ["use"] = use, ["kid"] = kid, ["x"] = Base64Url.EncodeToString(point.X), ["y"] = Base64Url.EncodeToString(point.Y) };
    }
}
