using System.Buffers.Text;
using System.Security.Cryptography;
using FunctionApp.Auth;
using FunctionApp.Tests.Support;
using FunctionApp.TestHost.Issuer;

namespace FunctionApp.Tests.Auth;

/// <summary>
/// An algorithm is tied to the keys it may use: ES256, ES384 and ES512 to the curves P-256, P-384 and P-521 (RFC 7518
/// 3.4), RS256 to RSA keys of 2048 bits or more (RFC 7518 3.3), and a key that states its alg (RFC 7517 4.4) to that
/// alg alone, for access tokens and for DPoP proofs.
/// </summary>
public sealed class AlgorithmKeyBindingTests : IAsyncLifetime, IDisposable
{
    private readonly InProcessValidator _app = new(settings => settings["Auth0__Algorithms"] = "RS256,PS256,ES256,ES384,ES512");
    private readonly Dictionary<string, ECDsa> _ecKeys = new()
    {
        ["P-256"] = ECDsa.Create(ECCurve.NamedCurves.nistP256),
        ["P-384"] = ECDsa.Create(ECCurve.NamedCurves.nistP384),
        ["P-521"] = ECDsa.Create(ECCurve.NamedCurves.nistP521),
    };

    private readonly Dictionary<int, RSA> _rsaKeys = new()
    {
        [512] = RSA.Create(512),
        [1024] = RSA.Create(1024),
        [2040] = RSA.Create(2040),
        [2048] = RSA.Create(2048),
    };

    // Published with an alg and no use: RFC 7517 makes use optional, and the stated alg binds the key all the same.
    private readonly RSA _statedWithoutUse = RSA.Create(2048);

    public async Task InitializeAsync()
    {
        await _app.InitializeAsync();
        // Published before the first request fetches the keys; none states an alg.
        foreach (var (curve, key) in _ecKeys)
        {
            var point = key.ExportParameters(includePrivateParameters: false).Q;
            _app.Issuer.AlsoPublish(new() { ["kty"] = "EC", ["crv"] = curve, ["use"] = "sig", ["kid"] = curve, ["x"] = Base64Url.EncodeToString(point.X), ["y"] = Base64Url.EncodeToString(point.Y) });
        }

        foreach (var (bits, key) in _rsaKeys)
        {
            var parameters = key.ExportParameters(includePrivateParameters: false);
            _app.Issuer.AlsoPublish(new() { ["kty"] = "RSA", ["use"] = "sig", ["kid"] = RsaKeyId(bits), ["n"] = Base64Url.EncodeToString(parameters.Modulus), ["e"] = Base64Url.EncodeToString(parameters.Exponent) });
        }

        var stated = _statedWithoutUse.ExportParameters(includePrivateParameters: false);
        _app.Issuer.AlsoPublish(new() { ["kty"] = "RSA", ["alg"] = "RS256", ["kid"] = "stated-without-use", ["n"] = Base64Url.EncodeToString(stated.Modulus), ["e"] = Base64Url.EncodeToString(stated.Exponent) });
    }

    public Task DisposeAsync() => _app.DisposeAsync();

    public void Dispose()
    {
        foreach (var key in _ecKeys.Values)
        {
            key.Dispose();
        }

        foreach (var key in _rsaKeys.Values)
        {
            key.Dispose();
        }

        _statedWithoutUse.Dispose();
    }

    [Theory]
    [InlineData("P-256", "ES256")]
    [InlineData("P-384", "ES384")]
    [InlineData("P-521", "ES512")]
    public async Task A_token_signed_on_the_curve_its_alg_names_is_verified(string curve, string alg)
    {
        var result = await _app.ValidateAsync(EcToken(curve, alg));

        Assert.True(result.IsVerified, result.Rejection?.Reason);
    }

    [Theory]
    [InlineData("P-256", "ES384")]
    [InlineData("P-256", "ES512")]
    [InlineData("P-384", "ES256")]
    [InlineData("P-521", "ES256")]
    public async Task A_token_signed_on_another_curve_than_its_alg_names_matches_no_key(string curve, string alg)
    {
        var result = await _app.ValidateAsync(EcToken(curve, alg));

        Assert.Same(TokenRejection.NoMatchingKey, result.Rejection);
    }

    [Theory]
    [InlineData(512)]
    [InlineData(1024)]
    [InlineData(2040)]
    public async Task A_token_signed_with_an_RSA_key_under_2048_bits_the_tenant_publishes_matches_no_key(int bits)
    {
        var result = await _app.ValidateAsync(RsaToken(bits));

        Assert.Same(TokenRejection.NoMatchingKey, result.Rejection);
    }

    [Fact]
    public async Task A_token_signed_with_a_2048_bit_RSA_key_the_tenant_publishes_is_verified()
    {
        var result = await _app.ValidateAsync(RsaToken(2048));

        Assert.True(result.IsVerified, result.Rejection?.Reason);
    }

    [Fact]
    public async Task A_PS256_token_signed_with_a_key_the_tenant_states_is_for_RS256_matches_no_key()
    {
        Assert.Equal("RS256", _app.Issuer.SigningKey.StatedAlgorithm);
        var header = _app.Issuer.NewHeader();
        header["alg"] = "PS256";

        var result = await _app.ValidateAsync(_app.Issuer.Sign(header, _app.Issuer.NewPayload()));

        Assert.Same(TokenRejection.NoMatchingKey, result.Rejection);
    }

    [Fact]
    public async Task A_token_signed_by_the_alg_a_key_states_with_no_use_is_verified()
    {
        var header = _app.Issuer.NewHeader();
        header["kid"] = "stated-without-use";
        var token = CompactJws.Encode(header, _app.Issuer.NewPayload(), input => _statedWithoutUse.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        var result = await _app.ValidateAsync(token);

        Assert.True(result.IsVerified, result.Rejection?.Reason);
    }

    [Fact]
    public async Task A_PS256_token_signed_with_a_key_that_states_RS256_and_no_use_matches_no_key()
    {
        var header = _app.Issuer.NewHeader();
        (header["alg"], header["kid"]) = ("PS256", "stated-without-use");
        var token = CompactJws.Encode(header, _app.Issuer.NewPayload(), input => _statedWithoutUse.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));

        var result = await _app.ValidateAsync(token);

        Assert.Same(TokenRejection.NoMatchingKey, result.Rejection);
    }

    [Fact]
    public async Task A_DPoP_proof_whose_jwk_states_another_alg_than_the_proof_is_refused()
    {
        using var key = DPoPKey.CreateEs256();
        var token = _app.Issuer.CreateBoundToken(key);
        var header = key.NewProofHeader();
        header["jwk"]!["alg"] = "ES384";

        var result = await SendDPoPAsync(token, key.Sign(header, ProofPayload(key, token)));

        Assert.Same(TokenRejection.ProofKey, result.Rejection);
    }

    [Fact]
    public async Task A_DPoP_proof_whose_jwk_states_the_proof_s_own_alg_is_verified()
    {
        using var key = DPoPKey.CreateEs256();
        var token = _app.Issuer.CreateBoundToken(key);
        var header = key.NewProofHeader();
        header["jwk"]!["alg"] = "ES256";

        var result = await SendDPoPAsync(token, key.Sign(header, ProofPayload(key, token)));

        Assert.True(result.IsVerified, result.Rejection?.Reason);
    }

    private System.Text.Json.Nodes.JsonObject ProofPayload(DPoPKey key, string token)
    {
        var payload = key.NewProofPayload("GET", "https://app.example/api/private", token);
        payload["iat"] = _app.Clock.GetUtcNow().ToUnixTimeSeconds();
        return payload;
    }

    private Task<AccessTokenResult> SendDPoPAsync(string token, string proof) =>
        _app.Validator.ValidateAsync(new ProtectedRequest("DPoP " + token, proof, "GET", new Uri("https://app.example/api/private")), CancellationToken.None);

    // A token whose header names alg and the key of the curve, signed by that key with the alg's hash.
    private string EcToken(string curve, string alg)
    {
        var header = _app.Issuer.NewHeader();
        (header["alg"], header["kid"]) = (alg, curve);
        var hash = alg switch { "ES256" => HashAlgorithmName.SHA256, "ES384" => HashAlgorithmName.SHA384, _ => HashAlgorithmName.SHA512 };
        return CompactJws.Encode(header, _app.Issuer.NewPayload(), input => _ecKeys[curve].SignData(input, hash));
    }

    private static string RsaKeyId(int bits) => "rsa-" + bits.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private string RsaToken(int bits)
    {
        var header = _app.Issuer.NewHeader();
        (header["alg"], header["kid"]) = ("RS256", RsaKeyId(bits));
        return CompactJws.SignRsa(header, _app.Issuer.NewPayload(), _rsaKeys[bits]);
    }
}
