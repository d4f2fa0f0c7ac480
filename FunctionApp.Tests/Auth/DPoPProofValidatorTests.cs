using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FunctionApp.Auth;
using FunctionApp.TestHost.Issuer;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Auth;

/// <summary>
/// DPoP-bound tokens and their proofs (RFC 9449 4.3, 7), through the validator in this process against a real local
/// issuer and real client keys: each way a proof or a binding is refused, and what is accepted.
/// </summary>
public sealed class DPoPProofValidatorTests : IAsyncLifetime, IDisposable
{
    private const string Url = "https://app.example/api/private";
    private const string NonceSecret = "a-nonce-secret-of-at-least-32-characters";

    private readonly InProcessValidator _app = new();
    private readonly DPoPKey _key = DPoPKey.CreateEs256();
    private string _token = null!;

    public async Task InitializeAsync()
    {
        await _app.InitializeAsync();
        _token = _app.Issuer.CreateBoundToken(_key);
    }

    public Task DisposeAsync() => _app.DisposeAsync();

    public void Dispose() => _key.Dispose();

    // ----- Accepted -----

    [Fact]
    public async Task A_bound_token_with_a_valid_ES256_proof_is_verified()
    {
        var result = await SendAsync(Proof());

        Assert.True(result.IsVerified, result.Rejection?.Reason);
        Assert.Equal(CredentialScheme.DPoP, result.Scheme);
    }

    [Fact]
    public async Task A_verified_bound_token_names_its_key_and_is_sender_constrained()
    {
        var result = await SendAsync(Proof());

        Assert.True(result.IsVerified, result.Rejection?.Reason);
        Assert.Equal(_key.Thumbprint, result.Token.KeyThumbprint);
        Assert.True(result.Token.IsSenderConstrained);
        Assert.Equal("DPoP", result.Token.ToClaimsPrincipal().Identity!.AuthenticationType);
    }

    [Fact]
    public async Task A_verified_bearer_token_is_not_sender_constrained()
    {
        var result = await _app.ValidateAsync(_app.Issuer.CreateToken());

        Assert.True(result.IsVerified, result.Rejection?.Reason);
        Assert.Null(result.Token.KeyThumbprint);
        Assert.False(result.Token.IsSenderConstrained);
    }

    [Fact]
    public async Task The_DPoP_scheme_name_is_case_insensitive()
    {
        var result = await _app.Validator.ValidateAsync(new ProtectedRequest("dpop " + _token, Proof(), "GET", new Uri(Url)), CancellationToken.None);

        Assert.True(result.IsVerified, result.Rejection?.Reason);
    }

    [Fact]
    public async Task A_proof_whose_htu_is_an_equivalent_form_of_the_request_URL_is_verified()
    {
        var payload = Payload();
        payload["htu"] = "HTTPS://App.Example:443/api/./private?ignored=1#ignored";

        var result = await SendAsync(_key.Sign(_key.NewProofHeader(), payload), url: Url + "?q=2");

        Assert.True(result.IsVerified, result.Rejection?.Reason);
    }

    [Fact]
    public async Task A_proof_with_extra_header_and_claim_members_is_verified()
    {
        var header = _key.NewProofHeader();
        header["kid"] = "client-key-1";
        ((JsonObject)header["jwk"]!)["use"] = "sig";
        ((JsonObject)header["jwk"]!)["alg"] = "ES256";
        var payload = Payload();
        payload["extra"] = new JsonArray(1, 2, 3);

        var result = await SendAsync(_key.Sign(header, payload));

        Assert.True(result.IsVerified, result.Rejection?.Reason);
    }

    [Fact]
    public async Task A_proof_issued_a_little_less_than_its_maximum_age_ago_is_verified()
    {
        var result = await SendAsync(Proof(iatOffsetSeconds: -299));

        Assert.True(result.IsVerified, result.Rejection?.Reason);
    }

    [Fact]
    public async Task A_proof_issued_a_little_ahead_within_the_clock_skew_is_verified()
    {
        var result = await SendAsync(Proof(iatOffsetSeconds: 29));

        Assert.True(result.IsVerified, result.Rejection?.Reason);
    }

    [Theory]
    [InlineData("PS256")]
    [InlineData("RS256")]
    [InlineData("PS512")]
    public async Task An_RSA_proof_is_verified_when_its_algorithm_is_listed(string algorithm)
    {
        await InProcessValidator.WithAsync(s => s["Auth0__DPoPAlgorithms"] = "ES256," + algorithm, async app =>
        {
            using var key = DPoPKey.CreateRsa(algorithm);
            var token = app.Issuer.CreateBoundToken(key);

            var result = await SendAsync(ProofBy(key, app, token), token, app: app);

            Assert.True(result.IsVerified, result.Rejection?.Reason);
            Assert.Equal(key.Thumbprint, result.Token.KeyThumbprint);
        });
    }

    [Theory]
    [InlineData("ES384")]
    [InlineData("ES512")]
    public async Task An_ECDSA_proof_on_another_curve_is_verified_when_its_algorithm_is_listed(string algorithm)
    {
        await InProcessValidator.WithAsync(s => s["Auth0__DPoPAlgorithms"] = algorithm, async app =>
        {
            using var key = DPoPKey.CreateEcdsa(algorithm);
            var token = app.Issuer.CreateBoundToken(key);

            var result = await SendAsync(ProofBy(key, app, token), token, app: app);

            Assert.True(result.IsVerified, result.Rejection?.Reason);
        });
    }

    [Fact]
    public async Task A_bound_token_taken_from_the_verified_token_memory_still_needs_a_valid_proof()
    {
        var first = await SendAsync(Proof());
        Assert.True(first.IsVerified, first.Rejection?.Reason);

        Assert.Same(TokenRejection.MissingProof, (await SendAsync(null)).Rejection);
        using var other = DPoPKey.CreateEs256();
        Assert.Same(TokenRejection.ProofKeyMismatch, (await SendAsync(other.CreateProof("GET", Url, _token))).Rejection);
        var again = await SendAsync(Proof());

        Assert.True(again.IsVerified, again.Rejection?.Reason);
        Assert.Same(first.Token, again.Token);
    }

    [Fact]
    public async Task Each_request_with_a_new_proof_is_verified()
    {
        for (var i = 0; i < 5; i++)
        {
            var result = await SendAsync(Proof());
            Assert.True(result.IsVerified, result.Rejection?.Reason);
        }
    }

    [Fact]
    public async Task A_proof_with_the_nonce_the_server_handed_out_is_verified()
    {
        await InProcessValidator.WithAsync(s => s["Auth0__DPoPNonceSecret"] = NonceSecret, async app =>
        {
            var token = app.Issuer.CreateBoundToken(_key);

            var result = await SendAsync(ProofBy(_key, app, token, nonce: app.Nonces.Current()), token, app: app);

            Assert.True(result.IsVerified, result.Rejection?.Reason);
        });
    }

    [Fact]
    public async Task A_proof_refused_for_its_signature_does_not_use_up_its_jti()
    {
        using var forger = DPoPKey.CreateEs256();
        var payload = Payload();
        var forged = forger.Sign(_key.NewProofHeader(), payload);
        Assert.Same(TokenRejection.ProofSignature, (await SendAsync(forged)).Rejection);

        var result = await SendAsync(_key.Sign(_key.NewProofHeader(), payload));

        Assert.True(result.IsVerified, result.Rejection?.Reason);
    }

    // ----- The proof itself -----

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task A_bound_token_without_a_proof_is_refused_for_its_missing_proof(string? proof)
    {
        await AssertRefusedAsync(TokenRejection.MissingProof, proof);
    }

    [Theory]
    [InlineData(",")]
    [InlineData(", ")]
    [InlineData(" , ")]
    public async Task Two_proofs_joined_by_a_comma_are_refused(string separator)
    {
        await AssertRefusedAsync(TokenRejection.SeveralProofs, Proof() + separator + Proof());
    }

    [Fact]
    public async Task A_proof_of_exactly_the_limit_is_verified()
    {
        var proof = ProofOfLength(DPoPProofValidator.MaxProofLength);

        var result = await SendAsync(proof);

        Assert.True(result.IsVerified, result.Rejection?.Reason);
    }

    [Fact]
    public async Task A_proof_larger_than_the_limit_is_refused_before_it_is_read()
    {
        var payload = Payload();
        payload["padding"] = new string('a', DPoPProofValidator.MaxProofLength);

        await AssertRefusedAsync(TokenRejection.ProofTooLarge, _key.Sign(_key.NewProofHeader(), payload));
    }

    [Theory]
    [InlineData("one segment")]
    [InlineData("two segments")]
    [InlineData("four segments")]
    [InlineData("five segments")]
    [InlineData("empty header")]
    [InlineData("empty payload")]
    [InlineData("not base64url")]
    [InlineData("padded base64")]
    [InlineData("header not JSON")]
    [InlineData("payload an array")]
    [InlineData("duplicate header member")]
    [InlineData("duplicate claim")]
    [InlineData("duplicate claim escaped")]
    [InlineData("iat a string")]
    [InlineData("iat negative")]
    [InlineData("iat past year 9999")]
    [InlineData("trailing content")]
    [InlineData("invalid UTF-8")]
    [InlineData("lone surrogate")]
    public async Task A_proof_that_is_no_compact_JWS_of_strict_JSON_objects_is_malformed(string shape)
    {
        var proof = Proof();
        var segments = proof.Split('.');
        var header = _key.NewProofHeader().ToJsonString();
        var payload = Payload().ToJsonString();
        var malformed = shape switch
        {
            "one segment" => segments[0],
            "two segments" => segments[0] + "." + segments[1],
            "four segments" => proof + "." + segments[2],
            "five segments" => proof + ".AAAA.AAAA",
            "empty header" => "." + segments[1] + "." + segments[2],
            "empty payload" => segments[0] + ".." + segments[2],
            "not base64url" => segments[0] + ".$$$." + segments[2],
            "padded base64" => segments[0] + "=." + segments[1] + "." + segments[2],
            "header not JSON" => Encode("dpop+jwt") + "." + segments[1] + "." + segments[2],
            "payload an array" => _key.SignText(header, "[" + payload + "]"),
            "duplicate header member" => _key.SignText(header.Insert(1, "\"typ\":\"dpop+jwt\","), payload),
            "duplicate claim" => _key.SignText(header, payload.Insert(1, "\"htm\":\"GET\",")),
            "duplicate claim escaped" => _key.SignText(header, payload.Insert(1, "\"\\u0068tm\":\"GET\",")),
            "iat a string" => _key.SignText(header, WithIat(payload, "\"" + Now() + "\"")),
            "iat negative" => _key.SignText(header, WithIat(payload, "-1")),
            "iat past year 9999" => _key.SignText(header, WithIat(payload, "253402300800")),
            "trailing content" => _key.SignText(header, payload + "{}"),
            "invalid UTF-8" => SignBytes(Encoding.UTF8.GetBytes(header), [.. Encoding.UTF8.GetBytes(payload[..^1]), .. ",\"x\":\""u8, 0xff, .. "\"}"u8]),
            "lone surrogate" => _key.SignText(header, payload[..^1] + ",\"x\":\"\\ud800\"}"),
            _ => throw new ArgumentOutOfRangeException(nameof(shape)),
        };

        await AssertRefusedAsync(TokenRejection.MalformedProof, malformed);
    }

    [Theory]
    [InlineData("JWT")]
    [InlineData("DPOP+JWT")]
    [InlineData("dpop+jwt ")]
    [InlineData("")]
    [InlineData(null)]
    public async Task A_proof_whose_typ_is_not_dpop_jwt_is_refused(string? typ)
    {
        var header = _key.NewProofHeader();
        header["typ"] = typ;

        await AssertRefusedAsync(TokenRejection.ProofType, _key.Sign(header, Payload()));
    }

    [Fact]
    public async Task A_proof_without_typ_is_refused()
    {
        var header = _key.NewProofHeader();
        header.Remove("typ");

        await AssertRefusedAsync(TokenRejection.ProofType, _key.Sign(header, Payload()));
    }

    [Fact]
    public async Task An_RS256_proof_is_refused_when_only_ES256_is_allowed()
    {
        using var rsa = DPoPKey.CreateRsa("RS256");
        var token = _app.Issuer.CreateBoundToken(rsa);

        await AssertRefusedAsync(TokenRejection.ProofAlgorithm, ProofBy(rsa, _app, token), token);
    }

    [Fact]
    public async Task An_unsigned_proof_with_alg_none_is_refused()
    {
        var header = _key.NewProofHeader();
        header["alg"] = "none";

        await AssertRefusedAsync(TokenRejection.ProofAlgorithm, Encode(header.ToJsonString()) + "." + Encode(Payload().ToJsonString()) + ".");
    }

    [Fact]
    public async Task An_HMAC_proof_is_refused()
    {
        var header = _key.NewProofHeader();
        header["alg"] = "HS256";
        var input = Encode(header.ToJsonString()) + "." + Encode(Payload().ToJsonString());
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes((string)_key.PublicJwk()["x"]!), Encoding.ASCII.GetBytes(input));

        await AssertRefusedAsync(TokenRejection.ProofAlgorithm, input + "." + Base64Url.EncodeToString(signature));
    }

    [Theory]
    [InlineData("\"es256\"")]
    [InlineData("\"ES256 \"")]
    [InlineData("\"\"")]
    [InlineData("256")]
    [InlineData("null")]
    [InlineData("[\"ES256\"]")]
    public async Task A_proof_whose_alg_is_not_an_allowed_name_is_refused(string alg)
    {
        var header = _key.NewProofHeader();
        header["alg"] = JsonNode.Parse(alg);

        await AssertRefusedAsync(TokenRejection.ProofAlgorithm, _key.Sign(header, Payload()));
    }

    [Fact]
    public async Task A_proof_without_alg_is_refused()
    {
        var header = _key.NewProofHeader();
        header.Remove("alg");

        await AssertRefusedAsync(TokenRejection.ProofAlgorithm, _key.Sign(header, Payload()));
    }

    [Theory]
    [InlineData("[\"exp\"]")]
    [InlineData("[]")]
    [InlineData("null")]
    public async Task A_proof_with_a_critical_header_is_refused(string crit)
    {
        var header = _key.NewProofHeader();
        header["crit"] = JsonNode.Parse(crit);
        header["exp"] = 1;

        await AssertRefusedAsync(TokenRejection.ProofCriticalHeader, _key.Sign(header, Payload()));
    }

    [Fact]
    public async Task A_proof_whose_jwk_carries_the_private_key_is_refused()
    {
        var header = _key.NewProofHeader();
        header["jwk"] = _key.PrivateJwk();

        await AssertRefusedAsync(TokenRejection.ProofPrivateKey, _key.Sign(header, Payload()));
    }

    [Theory]
    [InlineData("d")]
    [InlineData("p")]
    [InlineData("q")]
    [InlineData("dp")]
    [InlineData("dq")]
    [InlineData("qi")]
    [InlineData("oth")]
    [InlineData("k")]
    public async Task A_proof_whose_jwk_has_any_private_member_is_refused(string member)
    {
        var header = _key.NewProofHeader();
        ((JsonObject)header["jwk"]!)[member] = "AAAA";

        await AssertRefusedAsync(TokenRejection.ProofPrivateKey, _key.Sign(header, Payload()));
    }

    [Fact]
    public async Task A_proof_whose_jwk_is_an_RSA_private_key_is_refused()
    {
        await InProcessValidator.WithAsync(s => s["Auth0__DPoPAlgorithms"] = "PS256", async app =>
        {
            using var rsa = DPoPKey.CreateRsa("PS256");
            var token = app.Issuer.CreateBoundToken(rsa);
            var header = rsa.NewProofHeader();
            header["jwk"] = rsa.PrivateJwk();

            var result = await SendAsync(rsa.Sign(header, PayloadAt(app, token)), token, app: app);

            Assert.Same(TokenRejection.ProofPrivateKey, result.Rejection);
        });
    }

    [Theory]
    [InlineData("no jwk")]
    [InlineData("jwk a string")]
    [InlineData("jwk an array")]
    [InlineData("jwk empty")]
    [InlineData("no kty")]
    [InlineData("kty oct")]
    [InlineData("kty RSA")]
    [InlineData("kty lowercase")]
    [InlineData("crv P-384")]
    [InlineData("crv missing")]
    [InlineData("x missing")]
    [InlineData("y missing")]
    [InlineData("x a number")]
    [InlineData("x of 31 bytes")]
    [InlineData("x of 33 bytes")]
    [InlineData("y empty")]
    [InlineData("x not base64url")]
    public async Task A_proof_whose_jwk_is_no_public_key_for_ES256_is_refused(string change)
    {
        var header = _key.NewProofHeader();
        var jwk = (JsonObject)header["jwk"]!;
        switch (change)
        {
            case "no jwk": header.Remove("jwk"); break;
            case "jwk a string": header["jwk"] = _key.Thumbprint; break;
            case "jwk an array": header["jwk"] = new JsonArray(_key.PublicJwk()); break;
            case "jwk empty": header["jwk"] = new JsonObject(); break;
            case "no kty": jwk.Remove("kty"); break;
            case "kty oct": header["jwk"] = new JsonObject { ["kty"] = "oct" }; break;
            case "kty RSA": jwk["kty"] = "RSA"; break;
            case "kty lowercase": jwk["kty"] = "ec"; break;
            case "crv P-384": jwk["crv"] = "P-384"; break;
            case "crv missing": jwk.Remove("crv"); break;
            case "x missing": jwk.Remove("x"); break;
            case "y missing": jwk.Remove("y"); break;
            case "x a number": jwk["x"] = 1; break;
            case "x of 31 bytes": jwk["x"] = Base64Url.EncodeToString(Base64Url.DecodeFromChars((string)jwk["x"]!).AsSpan(1)); break;
            case "x of 33 bytes": jwk["x"] = Base64Url.EncodeToString([0, .. Base64Url.DecodeFromChars((string)jwk["x"]!)]); break;
            case "y empty": jwk["y"] = ""; break;
            case "x not base64url": jwk["x"] = "not+base64/url=="; break;
            default: throw new ArgumentOutOfRangeException(nameof(change));
        }

        await AssertRefusedAsync(TokenRejection.ProofKey, _key.Sign(header, Payload()));
    }

    [Theory]
    [InlineData("\"ES384\"")]
    [InlineData("\"es256\"")]
    [InlineData("\"\"")]
    [InlineData("256")]
    [InlineData("null")]
    public async Task A_proof_whose_jwk_states_an_alg_other_than_the_proof_s_is_refused(string alg)
    {
        var header = _key.NewProofHeader();
        ((JsonObject)header["jwk"]!)["alg"] = JsonNode.Parse(alg);

        await AssertRefusedAsync(TokenRejection.ProofKey, _key.Sign(header, Payload()));
    }

    [Fact]
    public async Task A_proof_whose_jwk_is_a_key_of_another_curve_is_refused()
    {
        using var p384 = DPoPKey.CreateEcdsa("ES384");
        var header = _key.NewProofHeader();
        header["jwk"] = p384.PublicJwk();

        await AssertRefusedAsync(TokenRejection.ProofKey, _key.Sign(header, Payload()));
    }

    [Fact]
    public async Task An_RSA_key_smaller_than_2048_bits_is_refused()
    {
        await InProcessValidator.WithAsync(s => s["Auth0__DPoPAlgorithms"] = "RS256", async app =>
        {
            using var rsa = RSA.Create(1024);
            var parameters = rsa.ExportParameters(false);
            var jwk = new JsonObject { ["kty"] = "RSA", ["n"] = Base64Url.EncodeToString(parameters.Modulus), ["e"] = Base64Url.EncodeToString(parameters.Exponent) };
            var token = app.Issuer.Tokens.CreateBoundToken(JwkThumbprint.Of(jwk));
            var header = new JsonObject { ["typ"] = "dpop+jwt", ["alg"] = "RS256", ["jwk"] = jwk };

            var result = await SendAsync(CompactJws.SignRsa(header.ToJsonString(), PayloadAt(app, token).ToJsonString(), "RS256", rsa), token, app: app);

            Assert.Same(TokenRejection.ProofKey, result.Rejection);
        });
    }

    [Theory]
    [InlineData("y is x")]
    [InlineData("y flipped")]
    [InlineData("all zero")]
    public async Task A_proof_whose_key_is_a_point_off_its_curve_is_refused_without_throwing(string change)
    {
        // Reached only by a token bound to that very point, so the token is minted for its thumbprint. The point is
        // checked when IdentityModel makes the key to verify with, so the answer is that the signature is invalid.
        var jwk = _key.PublicJwk();
        var x = Base64Url.DecodeFromChars((string)jwk["x"]!);
        var y = Base64Url.DecodeFromChars((string)jwk["y"]!);
        switch (change)
        {
            case "y is x": y = x; break;
            case "y flipped": y[^1] ^= 1; break;
            case "all zero": (x, y) = (new byte[32], new byte[32]); break;
            default: throw new ArgumentOutOfRangeException(nameof(change));
        }

        jwk["x"] = Base64Url.EncodeToString(x);
        jwk["y"] = Base64Url.EncodeToString(y);
        var token = _app.Issuer.Tokens.CreateBoundToken(JwkThumbprint.Of(jwk));
        var header = _key.NewProofHeader();
        header["jwk"] = jwk;

        var result = await SendAsync(_key.Sign(header, Payload(token)), token);

        Assert.Same(TokenRejection.ProofSignature, result.Rejection);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("get")]
    [InlineData("GET ")]
    [InlineData("")]
    public async Task A_proof_made_for_another_method_is_refused(string htm)
    {
        var payload = Payload();
        payload["htm"] = htm;

        await AssertRefusedAsync(TokenRejection.ProofMethod, _key.Sign(_key.NewProofHeader(), payload));
    }

    [Fact]
    public async Task A_proof_without_htm_is_refused()
    {
        var payload = Payload();
        payload.Remove("htm");

        await AssertRefusedAsync(TokenRejection.ProofMethod, _key.Sign(_key.NewProofHeader(), payload));
    }

    [Theory]
    [InlineData("https://app.example/api/public")]
    [InlineData("https://other.example/api/private")]
    [InlineData("http://app.example/api/private")]
    [InlineData("https://app.example:8443/api/private")]
    [InlineData("https://user@app.example/api/private")]
    [InlineData("/api/private")]
    [InlineData("")]
    public async Task A_proof_made_for_another_URL_is_refused(string htu)
    {
        var payload = Payload();
        payload["htu"] = htu;

        await AssertRefusedAsync(TokenRejection.ProofUrl, _key.Sign(_key.NewProofHeader(), payload));
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("[\"https://app.example/api/private\"]")]
    public async Task A_proof_without_an_htu_string_is_refused(string htu)
    {
        var payload = Payload();
        if (htu == "missing")
        {
            payload.Remove("htu");
        }
        else
        {
            payload["htu"] = JsonNode.Parse(htu);
        }

        await AssertRefusedAsync(TokenRejection.ProofUrl, _key.Sign(_key.NewProofHeader(), payload));
    }

    [Fact]
    public async Task A_proof_without_iat_is_refused()
    {
        var payload = Payload();
        payload.Remove("iat");

        await AssertRefusedAsync(TokenRejection.ProofNoIssuedAt, _key.Sign(_key.NewProofHeader(), payload));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(-3600)]
    public async Task A_proof_issued_longer_ago_than_its_maximum_age_is_refused(int iatOffsetSeconds)
    {
        await AssertRefusedAsync(TokenRejection.ProofTooOld, Proof(iatOffsetSeconds: iatOffsetSeconds));
    }

    [Fact]
    public async Task A_proof_issued_at_0_is_refused_as_too_old()
    {
        var payload = Payload();
        payload["iat"] = 0;

        await AssertRefusedAsync(TokenRejection.ProofTooOld, _key.Sign(_key.NewProofHeader(), payload));
    }

    [Theory]
    [InlineData(31)]
    [InlineData(3600)]
    public async Task A_proof_issued_further_ahead_than_the_clock_skew_is_refused(int iatOffsetSeconds)
    {
        await AssertRefusedAsync(TokenRejection.ProofFromFuture, Proof(iatOffsetSeconds: iatOffsetSeconds));
    }

    [Fact]
    public async Task A_proof_that_was_valid_is_refused_as_too_old_once_the_clock_has_moved_on()
    {
        var proof = Proof();

        _app.Clock.Advance(TimeSpan.FromSeconds(301));

        await AssertRefusedAsync(TokenRejection.ProofTooOld, proof);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("\"\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("[\"jti\"]")]
    public async Task A_proof_without_a_jti_string_is_refused(string jti)
    {
        var payload = Payload();
        if (jti == "missing")
        {
            payload.Remove("jti");
        }
        else
        {
            payload["jti"] = JsonNode.Parse(jti);
        }

        await AssertRefusedAsync(TokenRejection.ProofNoId, _key.Sign(_key.NewProofHeader(), payload));
    }

    [Fact]
    public async Task A_proof_made_for_another_access_token_is_refused()
    {
        var payload = Payload(token: _app.Issuer.CreateToken());

        await AssertRefusedAsync(TokenRejection.ProofTokenHash, _key.Sign(_key.NewProofHeader(), payload));
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("padded")]
    [InlineData("standard base64")]
    [InlineData("hex")]
    [InlineData("number")]
    public async Task A_proof_without_the_token_s_exact_ath_is_refused(string form)
    {
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(_token));
        var payload = Payload();
        switch (form)
        {
            case "missing": payload.Remove("ath"); break;
            case "padded": payload["ath"] = Base64Url.EncodeToString(hash) + "="; break;
            case "standard base64": payload["ath"] = Convert.ToBase64String(hash); break;
            case "hex": payload["ath"] = Convert.ToHexStringLower(hash); break;
            case "number": payload["ath"] = 1; break;
            default: throw new ArgumentOutOfRangeException(nameof(form));
        }

        await AssertRefusedAsync(TokenRejection.ProofTokenHash, _key.Sign(_key.NewProofHeader(), payload));
    }

    [Fact]
    public async Task A_proof_made_with_a_key_other_than_the_token_s_is_refused()
    {
        using var other = DPoPKey.CreateEs256();
        var payload = Payload();

        await AssertRefusedAsync(TokenRejection.ProofKeyMismatch, other.Sign(other.NewProofHeader(), payload));
    }

    [Fact]
    public async Task A_proof_signed_by_another_key_than_its_jwk_is_refused()
    {
        using var other = DPoPKey.CreateEs256();

        await AssertRefusedAsync(TokenRejection.ProofSignature, other.Sign(_key.NewProofHeader(), Payload()));
    }

    [Fact]
    public async Task A_proof_with_the_signature_of_another_proof_is_refused()
    {
        var first = Proof().Split('.');
        var second = Proof().Split('.');

        await AssertRefusedAsync(TokenRejection.ProofSignature, $"{first[0]}.{first[1]}.{second[2]}");
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("truncated")]
    [InlineData("zero")]
    [InlineData("DER")]
    public async Task A_proof_whose_signature_is_not_a_valid_ES256_signature_is_refused(string form)
    {
        var proof = Proof();
        var cut = proof.LastIndexOf('.');
        var signature = Base64Url.DecodeFromChars(proof.AsSpan(cut + 1));
        var forged = form switch
        {
            "empty" => "",
            "truncated" => Base64Url.EncodeToString(signature.AsSpan(0, signature.Length - 1)),
            "zero" => Base64Url.EncodeToString(new byte[64]),
            "DER" => Base64Url.EncodeToString(ToDer(signature)),
            _ => throw new ArgumentOutOfRangeException(nameof(form)),
        };

        await AssertRefusedAsync(TokenRejection.ProofSignature, proof[..(cut + 1)] + forged);
    }

    [Fact]
    public async Task A_proof_whose_claims_were_changed_after_signing_is_refused()
    {
        var segments = Proof().Split('.');
        var payload = JsonNode.Parse(Base64Url.DecodeFromChars(segments[1]))!.AsObject();
        payload["jti"] = "another";

        await AssertRefusedAsync(TokenRejection.ProofSignature, $"{segments[0]}.{Encode(payload.ToJsonString())}.{segments[2]}");
    }

    [Fact]
    public async Task A_proof_sent_twice_is_refused_the_second_time()
    {
        var proof = Proof();
        Assert.True((await SendAsync(proof)).IsVerified);

        await AssertRefusedAsync(TokenRejection.ProofReplayed, proof);
    }

    [Fact]
    public async Task A_new_proof_that_reuses_a_jti_is_refused_as_a_replay()
    {
        var payload = Payload();
        Assert.True((await SendAsync(_key.Sign(_key.NewProofHeader(), payload))).IsVerified);

        await AssertRefusedAsync(TokenRejection.ProofReplayed, _key.Sign(_key.NewProofHeader(), payload));
    }

    // Ages from the clock skew (30 s) to a moment before the maximum age (300 s): while the age check still lets a proof
    // through, the memory of proofs must still hold it.
    [Theory]
    [InlineData(30_000)]
    [InlineData(31_000)]
    [InlineData(150_000)]
    [InlineData(299_999)]
    public async Task A_proof_replayed_at_any_age_up_to_its_maximum_age_is_refused(int ageMilliseconds)
    {
        var issued = ToWholeSecond(_app);
        var proof = Proof();
        Assert.True((await SendAsync(proof)).IsVerified);

        _app.Clock.AdvanceTo(issued + TimeSpan.FromMilliseconds(ageMilliseconds));

        await AssertRefusedAsync(TokenRejection.ProofReplayed, proof);
    }

    [Fact]
    public async Task A_proof_replayed_within_a_longer_maximum_age_is_refused()
    {
        await InProcessValidator.WithAsync(s => s["Auth0__DPoPProofMaxAgeSeconds"] = "600", async app =>
        {
            var token = app.Issuer.CreateBoundToken(_key);
            var issued = ToWholeSecond(app);
            var proof = ProofBy(_key, app, token);
            Assert.True((await SendAsync(proof, token, app: app)).IsVerified);

            app.Clock.AdvanceTo(issued + TimeSpan.FromSeconds(600) - TimeSpan.FromMilliseconds(1));
            var result = await SendAsync(proof, token, app: app);

            Assert.Same(TokenRejection.ProofReplayed, result.Rejection);
        });
    }

    [Fact]
    public async Task A_proof_issued_ahead_within_the_clock_skew_is_refused_as_a_replay_until_its_iat_plus_the_maximum_age()
    {
        var now = ToWholeSecond(_app);
        var proof = Proof(iatOffsetSeconds: 29);
        Assert.True((await SendAsync(proof)).IsVerified);

        _app.Clock.AdvanceTo(now + TimeSpan.FromSeconds(29 + 300) - TimeSpan.FromMilliseconds(1));

        await AssertRefusedAsync(TokenRejection.ProofReplayed, proof);
    }

    [Fact]
    public async Task When_the_memory_of_proofs_is_full_of_acceptable_ones_a_new_proof_gets_a_retry_later()
    {
        await InProcessValidator.WithAsync(s => s["Auth0__DPoPReplayMemoryKilobytes"] = "1", async app =>
        {
            var token = app.Issuer.CreateBoundToken(_key);
            for (var i = 0; i < 1024 / DPoPReplayMemory.EntryBytes; i++)
            {
                Assert.True((await SendAsync(ProofBy(_key, app, token), token, app: app)).IsVerified);
            }

            var result = await SendAsync(ProofBy(_key, app, token), token, app: app);

            Assert.Same(TokenRejection.ReplayMemoryFull, result.Rejection);
            Assert.True(result.Rejection!.RetryLater);
        });
    }

    // ----- Nonces -----

    [Fact]
    public async Task With_nonces_on_a_proof_without_a_nonce_is_refused()
    {
        await InProcessValidator.WithAsync(s => s["Auth0__DPoPNonceSecret"] = NonceSecret, async app =>
        {
            var token = app.Issuer.CreateBoundToken(_key);

            var result = await SendAsync(ProofBy(_key, app, token), token, app: app);

            Assert.Same(TokenRejection.MissingNonce, result.Rejection);
        });
    }

    [Theory]
    [InlineData("")]
    [InlineData("made-up")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task With_nonces_on_a_proof_with_a_nonce_the_server_never_made_is_refused(string nonce)
    {
        await InProcessValidator.WithAsync(s => s["Auth0__DPoPNonceSecret"] = NonceSecret, async app =>
        {
            var token = app.Issuer.CreateBoundToken(_key);

            var result = await SendAsync(ProofBy(_key, app, token, nonce), token, app: app);

            Assert.Same(TokenRejection.StaleNonce, result.Rejection);
        });
    }

    [Fact]
    public async Task With_nonces_on_a_proof_whose_nonce_has_outlived_its_lifetime_is_refused()
    {
        await InProcessValidator.WithAsync(s => s["Auth0__DPoPNonceSecret"] = NonceSecret, async app =>
        {
            var token = app.Issuer.CreateBoundToken(_key);
            var nonce = app.Nonces.Current();
            Assert.True(app.Nonces.IsValid(nonce, app.Clock.GetUtcNow()), $"The nonce handed out, \"{nonce}\", was not accepted.");

            app.Clock.Advance(TimeSpan.FromSeconds(121));
            var result = await SendAsync(ProofBy(_key, app, token, nonce), token, app: app);

            Assert.Same(TokenRejection.StaleNonce, result.Rejection);
        });
    }

    [Fact]
    public async Task With_nonces_off_a_nonce_in_the_proof_is_ignored()
    {
        var result = await SendAsync(_key.Sign(_key.NewProofHeader(), Payload(nonce: "anything")));

        Assert.True(result.IsVerified, result.Rejection?.Reason);
    }

    // ----- The binding -----

    [Fact]
    public async Task A_token_not_bound_to_a_key_sent_with_the_DPoP_scheme_is_refused()
    {
        var token = _app.Issuer.CreateToken();

        await AssertRefusedAsync(TokenRejection.TokenNotBound, _key.Sign(_key.NewProofHeader(), Payload(token)), token);
    }

    [Fact]
    public async Task A_bound_token_sent_as_a_bearer_token_is_refused()
    {
        var result = await _app.ValidateAsync(_token);

        Assert.Same(TokenRejection.BoundTokenAsBearer, result.Rejection);
    }

    [Fact]
    public async Task A_bound_token_sent_as_a_bearer_token_is_refused_even_after_it_was_verified_with_a_proof()
    {
        Assert.True((await SendAsync(Proof())).IsVerified);

        Assert.Same(TokenRejection.BoundTokenAsBearer, (await _app.ValidateAsync(_token)).Rejection);
    }

    [Fact]
    public async Task A_bound_token_sent_as_a_bearer_token_is_refused_with_DPoP_disabled()
    {
        await InProcessValidator.WithAsync(s => s["Auth0__DPoPMode"] = "Disabled", async app =>
        {
            var result = await app.ValidateAsync(app.Issuer.CreateBoundToken(_key));

            Assert.Same(TokenRejection.BoundTokenAsBearer, result.Rejection);
        });
    }

    [Fact]
    public async Task With_DPoP_required_a_bearer_token_is_refused()
    {
        await InProcessValidator.WithAsync(s => s["Auth0__DPoPMode"] = "Required", async app =>
        {
            var result = await app.ValidateAsync(app.Issuer.CreateToken());

            Assert.Same(TokenRejection.DPoPRequired, result.Rejection);
        });
    }

    [Fact]
    public async Task With_DPoP_required_a_bound_token_with_a_valid_proof_is_verified()
    {
        await InProcessValidator.WithAsync(s => s["Auth0__DPoPMode"] = "Required", async app =>
        {
            var token = app.Issuer.CreateBoundToken(_key);

            var result = await SendAsync(ProofBy(_key, app, token), token, app: app);

            Assert.True(result.IsVerified, result.Rejection?.Reason);
        });
    }

    [Fact]
    public async Task With_DPoP_disabled_the_DPoP_scheme_is_an_unknown_scheme()
    {
        await InProcessValidator.WithAsync(s => s["Auth0__DPoPMode"] = "Disabled", async app =>
        {
            var token = app.Issuer.CreateBoundToken(_key);

            var result = await SendAsync(ProofBy(_key, app, token), token, app: app);

            Assert.Same(TokenRejection.InvalidCredentials, result.Rejection);
        });
    }

    [Theory]
    [InlineData("""{"x5t#S256":"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}""")]
    [InlineData("""{}""")]
    [InlineData("""{"jkt":null}""")]
    [InlineData("""{"jwk":{"kty":"EC"}}""")]
    public async Task A_token_bound_in_a_way_this_API_cannot_check_is_refused(string confirmation)
    {
        var payload = _app.Issuer.NewPayload();
        payload["cnf"] = JsonNode.Parse(confirmation);
        var token = _app.Issuer.Sign(_app.Issuer.NewHeader(), payload);

        await AssertRefusedAsync(TokenRejection.UnsupportedBinding, _key.Sign(_key.NewProofHeader(), Payload(token)), token);
        Assert.Same(TokenRejection.UnsupportedBinding, (await _app.ValidateAsync(token)).Rejection);
    }

    [Theory]
    [InlineData("\"jkt\"")]
    [InlineData("[]")]
    [InlineData("{\"jkt\":1}")]
    public async Task A_token_whose_cnf_is_not_an_object_with_a_jkt_string_is_malformed(string confirmation)
    {
        var payload = _app.Issuer.NewPayload();
        payload["cnf"] = JsonNode.Parse(confirmation);
        var token = _app.Issuer.Sign(_app.Issuer.NewHeader(), payload);

        await AssertRefusedAsync(TokenRejection.Malformed, _key.Sign(_key.NewProofHeader(), Payload(token)), token);
    }

    // ----- Helpers -----

    private Task<AccessTokenResult> SendAsync(string? proof, string? token = null, string url = Url, InProcessValidator? app = null) =>
        (app ?? _app).Validator.ValidateAsync(new ProtectedRequest("DPoP " + (token ?? _token), proof, "GET", new Uri(url)), CancellationToken.None);

    private async Task AssertRefusedAsync(TokenRejection expected, string? proof, string? token = null)
    {
        var result = await SendAsync(proof, token);

        Assert.False(result.IsVerified, "The request was accepted.");
        Assert.True(ReferenceEquals(expected, result.Rejection), $"Expected \"{expected.Reason}\", got \"{result.Rejection.Reason}\".");
    }

    private long Now() => _app.Clock.GetUtcNow().ToUnixTimeSeconds();

    // Moves the app's clock on to the next whole second, where a proof's iat, in whole seconds, is exactly the clock's time.
    private static DateTimeOffset ToWholeSecond(InProcessValidator app)
    {
        var next = DateTimeOffset.FromUnixTimeSeconds(app.Clock.GetUtcNow().ToUnixTimeSeconds() + 1);
        app.Clock.AdvanceTo(next);
        return next;
    }

    /// <summary>The claims of a proof for GET <see cref="Url"/> with the token, issued now by the app's clock.</summary>
    private JsonObject Payload(string? token = null, string? nonce = null, int iatOffsetSeconds = 0) =>
        PayloadAt(_app, token ?? _token, nonce, iatOffsetSeconds);

    private JsonObject PayloadAt(InProcessValidator app, string token, string? nonce = null, int iatOffsetSeconds = 0)
    {
        var payload = _key.NewProofPayload("GET", Url, token, nonce);
        payload["iat"] = app.Clock.GetUtcNow().ToUnixTimeSeconds() + iatOffsetSeconds;
        return payload;
    }

    private string Proof(int iatOffsetSeconds = 0) => _key.Sign(_key.NewProofHeader(), Payload(iatOffsetSeconds: iatOffsetSeconds));

    // A valid proof padded by an extra claim to exactly length characters. Base64url never makes a segment of 4n + 1
    // characters, so when the payload alone cannot reach the length, an extra header member shifts it by one.
    private string ProofOfLength(int length)
    {
        for (var headerPadding = 0; ; headerPadding++)
        {
            var (shortest, longest) = (0, length);
            while (shortest < longest)
            {
                var middle = (shortest + longest) / 2;
                (shortest, longest) = Padded(headerPadding, middle).Length < length ? (middle + 1, longest) : (shortest, middle);
            }

            if (Padded(headerPadding, shortest) is { } proof && proof.Length == length)
            {
                return proof;
            }
        }
    }

    private string Padded(int headerPadding, int payloadPadding)
    {
        var header = _key.NewProofHeader();
        header["padding"] = new string('a', headerPadding);
        var payload = Payload();
        payload["padding"] = new string('a', payloadPadding);
        return _key.Sign(header, payload);
    }

    private string ProofBy(DPoPKey key, InProcessValidator app, string token, string? nonce = null) =>
        key.Sign(key.NewProofHeader(), PayloadAt(app, token, nonce));

    private string SignBytes(byte[] header, byte[] payload)
    {
        var input = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(payload);
        // Signed for real, so only the invalid UTF-8 can be what is refused.
        var jwk = _key.PrivateJwk();
        using var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64Url.DecodeFromChars((string)jwk["x"]!), Y = Base64Url.DecodeFromChars((string)jwk["y"]!) },
            D = Base64Url.DecodeFromChars((string)jwk["d"]!),
        });
        return input + "." + Base64Url.EncodeToString(ecdsa.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256));
    }

    // The payload with its iat written as the raw JSON text given.
    private static string WithIat(string payloadJson, string iat)
    {
        var payload = JsonNode.Parse(payloadJson)!.AsObject();
        payload.Remove("iat");
        return payload.ToJsonString()[..^1] + ",\"iat\":" + iat + "}";
    }

    private static string Encode(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    // The same signature in the ASN.1 DER form .NET can also produce: not the r||s form JWS uses (RFC 7518 3.4).
    private static byte[] ToDer(byte[] signature)
    {
        var der = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (der.PushSequence())
        {
            der.WriteIntegerUnsigned(signature.AsSpan(0, 32));
            der.WriteIntegerUnsigned(signature.AsSpan(32));
        }

        return der.Encode();
    }
}
