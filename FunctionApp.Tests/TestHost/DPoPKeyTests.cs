using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FunctionApp.TestHost.Issuer;

namespace FunctionApp.Tests.TestHost;

/// <summary>The client side of DPoP in the test host: keys, their JWKs and thumbprints, and the proofs they sign.</summary>
public sealed class DPoPKeyTests
{
    [Fact]
    public void The_thumbprint_of_the_RFC_7638_example_key_is_the_one_the_RFC_gives()
    {
        // RFC 7638 3.1; alg and kid are not among the members hashed.
        var jwk = JsonNode.Parse("""
            {"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}
            """)!.AsObject();

        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", JwkThumbprint.Of(jwk));
    }

    [Theory]
    [InlineData("ES256", 32)]
    [InlineData("ES384", 48)]
    [InlineData("ES512", 66)]
    public void An_ECDSA_public_JWK_has_only_the_public_members_at_the_curve_s_full_length(string algorithm, int coordinateLength)
    {
        using var key = DPoPKey.CreateEcdsa(algorithm);

        var jwk = key.PublicJwk();

        Assert.Equal(["kty", "crv", "x", "y"], jwk.Select(m => m.Key));
        Assert.Equal(coordinateLength, Base64Url.DecodeFromChars((string)jwk["x"]!).Length);
        Assert.Equal(coordinateLength, Base64Url.DecodeFromChars((string)jwk["y"]!).Length);
        Assert.Equal(JwkThumbprint.Of(jwk), key.Thumbprint);
    }

    [Fact]
    public void An_RSA_public_JWK_has_only_n_and_e()
    {
        using var key = DPoPKey.CreateRsa();

        Assert.Equal(["kty", "n", "e"], key.PublicJwk().Select(m => m.Key));
        Assert.Equal("AQAB", (string?)key.PublicJwk()["e"]);
    }

    [Fact]
    public void The_private_JWK_adds_the_private_members_and_keeps_the_thumbprint()
    {
        using var ec = DPoPKey.CreateEs256();
        using var rsa = DPoPKey.CreateRsa("RS256");

        Assert.Equal(["kty", "crv", "x", "y", "d"], ec.PrivateJwk().Select(m => m.Key));
        Assert.Equal(["kty", "n", "e", "d", "p", "q", "dp", "dq", "qi"], rsa.PrivateJwk().Select(m => m.Key));
        Assert.Equal(ec.Thumbprint, JwkThumbprint.Of(ec.PrivateJwk()));
        Assert.Equal(rsa.Thumbprint, JwkThumbprint.Of(rsa.PrivateJwk()));
    }

    [Fact]
    public void Each_call_gives_a_new_JWK_object()
    {
        using var key = DPoPKey.CreateEs256();
        var first = key.PublicJwk();
        first["x"] = "changed";

        Assert.NotEqual("changed", (string?)key.PublicJwk()["x"]);
    }

    [Fact]
    public void An_ES256_proof_verifies_with_the_public_key_and_carries_the_request_s_claims()
    {
        using var key = DPoPKey.CreateEs256();
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var proof = key.CreateProof("POST", "https://issuer.test/oauth/token");

        var after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var (header, payload, signature) = Parts(proof);
        Assert.Equal("dpop+jwt", (string?)header["typ"]);
        Assert.Equal("ES256", (string?)header["alg"]);
        Assert.Equal(key.PublicJwk().ToJsonString(), header["jwk"]!.ToJsonString());
        Assert.Equal(["jti", "htm", "htu", "iat"], payload.Select(m => m.Key));
        Assert.Equal(16, Base64Url.DecodeFromChars((string)payload["jti"]!).Length);
        Assert.Equal("POST", (string?)payload["htm"]);
        Assert.Equal("https://issuer.test/oauth/token", (string?)payload["htu"]);
        Assert.InRange((long)payload["iat"]!, before, after);
        Assert.Equal(64, signature.Length);
        Assert.True(VerifiesEs256(key.PublicJwk(), proof));
    }

    [Fact]
    public void The_typ_is_written_with_a_plain_plus()
    {
        using var key = DPoPKey.CreateEs256();

        var header = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(key.CreateProof("GET", "https://app.test/").Split('.')[0]));

        Assert.StartsWith("""{"typ":"dpop+jwt","alg":"ES256","jwk":{"kty":"EC","crv":"P-256",""", header, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_proof_has_its_own_jti()
    {
        using var key = DPoPKey.CreateEs256();

        Assert.NotEqual((string?)key.NewProofPayload("GET", "https://app.test/")["jti"], (string?)key.NewProofPayload("GET", "https://app.test/")["jti"]);
    }

    [Fact]
    public void With_an_access_token_and_a_nonce_the_proof_carries_ath_and_nonce()
    {
        using var key = DPoPKey.CreateEs256();

        // The access token and its hash in RFC 9449's example of a proof for a protected resource (7.1).
        var payload = key.NewProofPayload("GET", "https://resource.example.org/protectedresource", "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU", "eyJ7S_zG.eyJH0-Z.HX4w-7v");

        Assert.Equal("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo", (string?)payload["ath"]);
        Assert.Equal("eyJ7S_zG.eyJH0-Z.HX4w-7v", (string?)payload["nonce"]);
    }

    [Fact]
    public void A_header_naming_an_algorithm_the_key_cannot_do_is_signed_by_the_key_s_own()
    {
        using var key = DPoPKey.CreateEs256();
        var header = key.NewProofHeader();
        header["alg"] = "HS256";

        var proof = key.Sign(header, key.NewProofPayload("GET", "https://app.test/"));

        Assert.Equal("HS256", (string?)Parts(proof).Header["alg"]);
        Assert.True(VerifiesEs256(key.PublicJwk(), proof));
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("PS384")]
    public void An_RSA_key_signs_by_the_algorithm_the_header_names(string alg)
    {
        using var key = DPoPKey.CreateRsa();
        var header = key.NewProofHeader();
        header["alg"] = alg;

        var proof = key.Sign(header, key.NewProofPayload("GET", "https://app.test/"));

        var hash = alg[2..] == "256" ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA384;
        var padding = alg.StartsWith("PS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        var jwk = key.PublicJwk();
        using var rsa = RSA.Create(new RSAParameters { Modulus = Bytes(jwk, "n"), Exponent = Bytes(jwk, "e") });
        Assert.True(rsa.VerifyData(SigningInput(proof), Parts(proof).Signature, hash, padding));
    }

    [Fact]
    public void SignText_signs_the_text_exactly_as_given()
    {
        using var key = DPoPKey.CreateEs256();
        var headerJson = $$"""{"typ":"dpop+jwt","alg":"ES256","alg":"none","jwk":{{key.PublicJwk().ToJsonString()}}}""";

        var proof = key.SignText(headerJson, "not json");

        Assert.Equal(headerJson, Encoding.UTF8.GetString(Base64Url.DecodeFromChars(proof.Split('.')[0])));
        Assert.Equal("not json", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(proof.Split('.')[1])));
        Assert.True(VerifiesEs256(key.PublicJwk(), proof));
    }

    [Theory]
    [InlineData("ES256")]
    [InlineData("ES512")]
    [InlineData("PS256")]
    [InlineData("RS512")]
    public void A_saved_key_loads_as_the_same_key_readable_by_its_owner_only(string algorithm)
    {
        var directory = Directory.CreateTempSubdirectory("dpop-key-");
        try
        {
            var path = Path.Combine(directory.FullName, "key.json");
            using var key = algorithm.StartsWith("ES", StringComparison.Ordinal) ? DPoPKey.CreateEcdsa(algorithm) : DPoPKey.CreateRsa(algorithm);

            key.Save(path);
            using var loaded = DPoPKey.Load(path);

            Assert.Equal(key.Thumbprint, loaded.Thumbprint);
            Assert.Equal(algorithm, loaded.Algorithm);
            Assert.Equal(key.PrivateJwk().ToJsonString(), loaded.PrivateJwk().ToJsonString());
            Assert.Equal(algorithm, (string?)JsonNode.Parse(File.ReadAllText(path))!["alg"]);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Saving_over_an_existing_file_narrows_its_mode()
    {
        var path = Path.GetTempFileName();
        try
        {
            using var key = DPoPKey.CreateEs256();

            key.Save(path);

            Assert.Equal(key.Thumbprint, JwkThumbprint.Of(JsonNode.Parse(File.ReadAllText(path))!.AsObject()));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static (JsonObject Header, JsonObject Payload, byte[] Signature) Parts(string jws)
    {
        var parts = jws.Split('.');
        Assert.Equal(3, parts.Length);
        return (
            JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!.AsObject(),
            JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject(),
            Base64Url.DecodeFromChars(parts[2]));
    }

    private static byte[] SigningInput(string jws) => Encoding.ASCII.GetBytes(jws[..jws.LastIndexOf('.')]);

    private static byte[] Bytes(JsonObject jwk, string name) => Base64Url.DecodeFromChars((string)jwk[name]!);

    private static bool VerifiesEs256(JsonObject jwk, string jws)
    {
        using var ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = Bytes(jwk, "x"), Y = Bytes(jwk, "y") } });
        return ecdsa.VerifyData(SigningInput(jws), Base64Url.DecodeFromChars(jws.AsSpan(jws.LastIndexOf('.') + 1)), HashAlgorithmName.SHA256);
    }
}
