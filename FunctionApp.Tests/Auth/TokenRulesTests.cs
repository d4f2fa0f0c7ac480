using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FunctionApp.Auth;
using FunctionApp.TestHost.Issuer;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Auth;

/// <summary>
/// The rules a token signed with the tenant's own key must still meet, each at its edge, through the validator in this
/// process with a clock the test moves: iss and aud compared exactly (RFC 7519 4.1.1, 4.1.3), exp and nbf with the
/// clock skew (4.1.4, 4.1.5), iat not in the future, alg among those allowed, and no crit (RFC 7515 4.1.11).
/// </summary>
public sealed class TokenRulesTests : IAsyncLifetime
{
    // The clock's smallest step: an edge is pinned by the instants one step either side of it.
    private static readonly TimeSpan Step = TimeSpan.FromTicks(1);

    private readonly InProcessValidator _app = new();

    /// <summary>Where the clock starts: a whole second, so that dates in whole seconds fall exactly where a test says.</summary>
    private DateTimeOffset Start { get; set; }

    private TimeSpan Skew => _app.Options.Value.ClockSkew;

    public async Task InitializeAsync()
    {
        await _app.InitializeAsync();
        Start = DateTimeOffset.FromUnixTimeSeconds(_app.Clock.GetUtcNow().ToUnixTimeSeconds() + 1);
        _app.Clock.AdvanceTo(Start);
    }

    public Task DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task A_token_that_meets_every_rule_is_verified()
    {
        var result = await _app.ValidateAsync(Token());

        Assert.True(result.IsVerified, result.Rejection?.Reason);
    }

    // ----- claims before the signature -----

    [Fact]
    public async Task An_expired_token_with_a_wrong_signature_is_refused_as_expired()
    {
        var expired = Token(p => p["exp"] = Start.AddHours(-1).ToUnixTimeSeconds());
        var other = Token();
        // The signature of another token: the tenant's key, over other bytes.
        var tampered = expired[..expired.LastIndexOf('.')] + other[other.LastIndexOf('.')..];

        await AssertRefusedAsync(TokenRejection.Expired, tampered);
    }

    [Fact]
    public async Task A_token_for_another_audience_naming_an_unknown_kid_costs_no_key_fetch()
    {
        Assert.True((await _app.ValidateAsync(Token())).IsVerified);
        _app.Clock.Advance(_app.Options.Value.MinimumRefreshInterval);
        var fetchesBefore = _app.Issuer.JwksRequests;

        await AssertRefusedAsync(TokenRejection.InvalidAudience, Token(p => p["aud"] = "https://other.test/api", h => h["kid"] = "not-published"));

        Assert.Equal(fetchesBefore, _app.Issuer.JwksRequests);
    }

    // ----- iss and aud: exact strings -----

    [Fact]
    public async Task Audience_differing_only_in_case_is_refused()
    {
        await AssertRefusedAsync(TokenRejection.InvalidAudience, Token(p => p["aud"] = AppFixture.Audience.ToUpperInvariant()));
    }

    [Fact]
    public async Task An_audience_array_naming_the_audience_only_in_another_case_is_refused()
    {
        await AssertRefusedAsync(
            TokenRejection.InvalidAudience, Token(p => p["aud"] = new JsonArray(AppFixture.Audience.ToUpperInvariant(), "https://other.test/")));
    }

    [Fact]
    public async Task Issuer_differing_only_in_case_is_refused()
    {
        await AssertRefusedAsync(TokenRejection.InvalidIssuer, Token(p => p["iss"] = _app.Issuer.Issuer.ToUpperInvariant()));
    }

    [Theory]
    [InlineData("https://attacker.example/")]
    [InlineData("")]
    public async Task An_issuer_nobody_configured_is_refused_though_the_tenant_s_key_signed_it(string issuer)
    {
        await AssertRefusedAsync(TokenRejection.InvalidIssuer, Token(p => p["iss"] = issuer));
    }

    // An unconfigured issuer picks no domain, so no audience is checked: the issuer answers, as docs/security.md says.
    [Fact]
    public async Task An_issuer_nobody_configured_is_refused_for_its_issuer_though_the_audience_is_wrong_too()
    {
        await AssertRefusedAsync(TokenRejection.InvalidIssuer, Token(p =>
        {
            p["iss"] = "https://attacker.example/";
            p["aud"] = "https://other.test/api";
        }));
    }

    [Fact]
    public async Task An_issuer_differing_only_in_case_is_refused_for_its_issuer_though_the_audience_is_wrong_too()
    {
        await AssertRefusedAsync(TokenRejection.InvalidIssuer, Token(p =>
        {
            p["iss"] = _app.Issuer.Issuer.ToUpperInvariant();
            p["aud"] = "https://other.test/api";
        }));
    }

    [Fact]
    public async Task A_token_without_an_issuer_is_refused()
    {
        await AssertRefusedAsync(TokenRejection.InvalidIssuer, Token(p => p.Remove("iss")));
    }

    // ----- exp, nbf and iat, with the clock skew -----

    [Fact]
    public async Task A_token_without_exp_is_refused()
    {
        await AssertRefusedAsync(TokenRejection.NoExpiry, Token(p => p.Remove("exp")));
    }

    [Fact]
    public async Task A_token_is_accepted_until_its_exp_plus_the_clock_skew()
    {
        var token = Token(p => p["exp"] = Seconds(Start));

        _app.Clock.AdvanceTo(Start + Skew - Step);

        Assert.True((await _app.ValidateAsync(token)).IsVerified);
    }

    [Fact]
    public async Task A_token_is_refused_as_expired_from_the_instant_of_its_exp_plus_the_clock_skew()
    {
        // RFC 7519 4.1.4: the time must be before exp; at exp itself the token has expired.
        var token = Token(p => p["exp"] = Seconds(Start));

        _app.Clock.AdvanceTo(Start + Skew);

        await AssertRefusedAsync(TokenRejection.Expired, token);
    }

    [Fact]
    public async Task A_token_is_accepted_from_its_nbf_minus_the_clock_skew()
    {
        var notBefore = Start + TimeSpan.FromMinutes(2);
        var token = Token(p => p["nbf"] = Seconds(notBefore));

        _app.Clock.AdvanceTo(notBefore - Skew);

        Assert.True((await _app.ValidateAsync(token)).IsVerified);
    }

    [Fact]
    public async Task A_token_is_refused_as_not_yet_valid_before_its_nbf_minus_the_clock_skew()
    {
        var notBefore = Start + TimeSpan.FromMinutes(2);
        var token = Token(p => p["nbf"] = Seconds(notBefore));

        _app.Clock.AdvanceTo(notBefore - Skew - Step);

        await AssertRefusedAsync(TokenRejection.NotYetValid, token);
    }

    [Fact]
    public async Task A_token_is_accepted_from_its_iat_minus_the_clock_skew()
    {
        var issued = Start + TimeSpan.FromMinutes(2);
        var token = Token(p => p["iat"] = Seconds(issued));

        _app.Clock.AdvanceTo(issued - Skew);

        Assert.True((await _app.ValidateAsync(token)).IsVerified);
    }

    [Fact]
    public async Task A_token_issued_further_ahead_than_the_clock_skew_is_refused_as_not_yet_valid()
    {
        var issued = Start + TimeSpan.FromMinutes(2);
        var token = Token(p => p["iat"] = Seconds(issued));

        _app.Clock.AdvanceTo(issued - Skew - Step);

        await AssertRefusedAsync(TokenRejection.NotYetValid, token);
    }

    // ----- alg: one of Auth0__Algorithms (RS256 by default), by its exact name; no crit -----

    [Theory]
    [InlineData("RS384")]
    [InlineData("RS512")]
    [InlineData("PS256")]
    [InlineData("PS384")]
    [InlineData("PS512")]
    public async Task A_token_the_tenant_s_key_signed_by_an_algorithm_not_allowed_is_refused(string algorithm)
    {
        await AssertRefusedAsync(TokenRejection.AlgorithmNotAllowed, Token(header: h => h["alg"] = algorithm, signingAlgorithm: algorithm));
    }

    [Fact]
    public async Task An_ES256_token_is_refused_when_only_RS256_is_allowed()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var header = _app.Issuer.NewHeader();
        header["alg"] = "ES256";

        var token = CompactJws.Encode(header, Payload(), input => ecdsa.SignData(input, HashAlgorithmName.SHA256));

        await AssertRefusedAsync(TokenRejection.AlgorithmNotAllowed, token);
    }

    [Theory]
    [InlineData("rs256")]
    [InlineData("RS256 ")]
    [InlineData("")]
    public async Task An_algorithm_named_otherwise_than_exactly_is_refused(string algorithm)
    {
        await AssertRefusedAsync(TokenRejection.AlgorithmNotAllowed, Token(header: h => h["alg"] = algorithm));
    }

    [Fact]
    public async Task An_algorithm_the_settings_add_is_accepted_and_the_others_stay_refused()
    {
        await InProcessValidator.WithAsync(s => s["Auth0__Algorithms"] = "RS256,PS256", async app =>
        {
            // A key stating the alg it is for may serve no other (RFC 7517 4.4): this one states none.
            app.Issuer.SigningKey.StatedAlgorithm = null;
            var pss = CompactJws.SignRsa(With(app.Issuer.NewHeader(), h => h["alg"] = "PS256"), app.Issuer.NewPayload(), app.Issuer.SigningKey.Rsa);
            var rs384 = CompactJws.SignRsa(With(app.Issuer.NewHeader(), h => h["alg"] = "RS384"), app.Issuer.NewPayload(), app.Issuer.SigningKey.Rsa);

            Assert.True((await app.ValidateAsync(pss)).IsVerified);
            Assert.Same(TokenRejection.AlgorithmNotAllowed, (await app.ValidateAsync(rs384)).Rejection);
        });
    }

    [Theory]
    [InlineData("[\"exp\"]")]
    [InlineData("[\"https://example.com/extension\"]")]
    [InlineData("[]")]
    public async Task A_token_with_a_critical_header_parameter_is_refused(string critical)
    {
        var token = Token(header: h =>
        {
            h["crit"] = JsonNode.Parse(critical);
            h["exp"] = Seconds(Start + TimeSpan.FromHours(1));
            h["https://example.com/extension"] = true;
        });

        await AssertRefusedAsync(TokenRejection.UnsupportedCriticalHeader, token);
    }

    [Fact]
    public async Task An_Authorization_header_without_a_space_is_refused_as_not_authenticated()
    {
        var result = await _app.Validator.ValidateAsync("Bearer" + Token(), CancellationToken.None);

        Assert.Same(TokenRejection.NotAuthenticated, result.Rejection);
    }

    // ----- member types: what IdentityModel would read leniently, or not at all, is malformed -----

    [Theory]
    [InlineData("alg")]
    [InlineData("kid")]
    [InlineData("typ")]
    [InlineData("cty")]
    [InlineData("x5t")]
    [InlineData("zip")]
    public async Task A_header_member_given_a_number_where_a_string_belongs_is_malformed(string name)
    {
        await AssertRefusedAsync(TokenRejection.Malformed, Token(header: h => h[name] = 5));
    }

    [Fact]
    public async Task An_issuer_that_is_a_number_is_malformed()
    {
        await AssertRefusedAsync(TokenRejection.Malformed, Token(p => p["iss"] = 5));
    }

    [Fact]
    public async Task An_audience_that_is_a_number_is_malformed()
    {
        await AssertRefusedAsync(TokenRejection.Malformed, Token(p => p["aud"] = 5));
    }

    [Fact]
    public async Task An_audience_array_holding_a_number_beside_the_audience_is_malformed()
    {
        await AssertRefusedAsync(TokenRejection.Malformed, Token(p => p["aud"] = new JsonArray(AppFixture.Audience, 5)));
    }

    [Fact]
    public async Task A_token_without_an_audience_is_refused_for_its_audience()
    {
        await AssertRefusedAsync(TokenRejection.InvalidAudience, Token(p => p.Remove("aud")));
    }

    [Fact]
    public async Task A_token_without_a_kid_matches_no_key_and_costs_no_key_fetch()
    {
        Assert.True((await _app.ValidateAsync(Token())).IsVerified);
        _app.Clock.Advance(_app.Options.Value.MinimumRefreshInterval);
        var fetchesBefore = _app.Issuer.JwksRequests;

        await AssertRefusedAsync(TokenRejection.NoMatchingKey, Token(header: h => h.Remove("kid")));

        Assert.Equal(fetchesBefore, _app.Issuer.JwksRequests);
    }

    // ----- the compact form: base64url of UTF-8 JSON -----

    [Fact]
    public async Task A_segment_of_a_length_base64url_cannot_have_is_malformed()
    {
        var token = Token();
        await AssertRefusedAsync(TokenRejection.Malformed, "a" + token[(token.IndexOf('.', StringComparison.Ordinal) - 4)..]);
    }

    [Fact]
    public async Task A_token_whose_signature_is_cut_off_is_refused_as_an_invalid_signature()
    {
        var token = Token();
        await AssertRefusedAsync(TokenRejection.InvalidSignature, token[..(token.LastIndexOf('.') + 1)]);
    }

    // The byte 0xFF stands where '#' is: in a top-level claim, which IdentityModel reads, and where it reads nothing.
    [Theory]
    [InlineData("\"note\":\"#\"")]
    [InlineData("\"note\":{\"fine\":\"a\",\"inner\":\"#\"}")]
    [InlineData("\"note\":[\"a\",\"#\"]")]
    [InlineData("\"#\":1")]
    public async Task A_claim_that_is_not_UTF_8_is_malformed(string member)
    {
        var payload = Encoding.UTF8.GetBytes(Payload().ToJsonString());
        var at = member.IndexOf('#');
        byte[] invalid = [(byte)'{', .. Encoding.UTF8.GetBytes(member[..at]), 0xFF, .. Encoding.UTF8.GetBytes(member[(at + 1)..]), (byte)',', .. payload.AsSpan(1)];
        var header = Encoding.UTF8.GetBytes(_app.Issuer.NewHeader().ToJsonString());

        await AssertRefusedAsync(TokenRejection.Malformed, CompactJws.Encode(header, invalid,
            input => _app.Issuer.SigningKey.Rsa.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
    }

    // ----- escapes: each must decode to valid UTF-16 (a lone surrogate does not), wherever it stands -----

    [Theory]
    [InlineData("\"note\":\"\\ud800\"")]
    [InlineData("\"note\":{\"fine\":\"a\",\"inner\":\"\\ud800\"}")]
    [InlineData("\"note\":[\"a\",\"\\ud800\"]")]
    [InlineData("\"\\ud800\":1")]
    public async Task A_claim_holding_an_escape_that_decodes_to_no_character_is_malformed(string member)
    {
        await AssertRefusedAsync(TokenRejection.Malformed, TokenWithMember(member));
    }

    [Fact]
    public async Task A_token_whose_claims_hold_escapes_that_decode_is_verified()
    {
        var result = await _app.ValidateAsync(TokenWithMember("\"note\":[\"caf\\u00e9\",{\"n\":1,\"b\":true,\"z\":null}]"));

        Assert.True(result.IsVerified, result.Rejection?.Reason);
    }

    // ----- size: 16 KiB of characters at most, refused before any parsing -----

    [Fact]
    public async Task A_credential_one_character_over_the_limit_is_refused_as_too_large()
    {
        await AssertRefusedAsync(TokenRejection.TooLarge, new string('a', Auth0TokenValidator.MaxTokenLength + 1));
    }

    [Fact]
    public async Task A_credential_of_exactly_the_limit_is_read_and_not_refused_for_its_size()
    {
        await AssertRefusedAsync(TokenRejection.Malformed, new string('a', Auth0TokenValidator.MaxTokenLength));
    }

    // ----- Helpers -----

    /// <summary>
    /// A token of the local issuer signed with its key (by <paramref name="signingAlgorithm"/>), issued at the start and
    /// valid for an hour by the test's clock, changed by <paramref name="payload"/> and <paramref name="header"/>.
    /// </summary>
    private string Token(Action<JsonObject>? payload = null, Action<JsonObject>? header = null, string signingAlgorithm = "RS256")
    {
        var headerJson = With(_app.Issuer.NewHeader(), header ?? (_ => { })).ToJsonString();
        var payloadJson = With(Payload(), payload ?? (_ => { })).ToJsonString();
        return CompactJws.SignRsa(headerJson, payloadJson, signingAlgorithm, _app.Issuer.SigningKey.Rsa);
    }

    // The payload's JSON text with one more member first, written as it stands (JsonObject would re-escape it).
    private string TokenWithMember(string member)
    {
        var payloadJson = Payload().ToJsonString();
        return CompactJws.SignRsa(_app.Issuer.NewHeader().ToJsonString(), "{" + member + "," + payloadJson[1..], "RS256", _app.Issuer.SigningKey.Rsa);
    }

    private JsonObject Payload() => With(_app.Issuer.NewPayload(), p =>
    {
        p["iat"] = Seconds(Start);
        p["exp"] = Seconds(Start + TimeSpan.FromHours(1));
    });

    private static JsonObject With(JsonObject json, Action<JsonObject> change)
    {
        change(json);
        return json;
    }

    private static long Seconds(DateTimeOffset instant) => instant.ToUnixTimeSeconds();

    private async Task AssertRefusedAsync(TokenRejection expected, string token)
    {
        var result = await _app.ValidateAsync(token);

        Assert.True(ReferenceEquals(expected, result.Rejection), $"Expected \"{expected.Reason}\", got \"{result.Rejection?.Reason ?? "verified"}\".");
    }
}
