using FunctionApp.Auth;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Auth;

/// <summary>
/// The WWW-Authenticate value of each kind of rejection, under each DPoP mode and for each scheme the request used
/// (RFC 6750 3, RFC 9449 7.1): a challenge per accepted scheme, the error on the scheme the request used, the DPoP
/// one naming its algorithms; with DPoP disabled, exactly the Bearer-only challenges the app gave before DPoP.
/// </summary>
public sealed class TokenRejectionChallengeTests
{
    private const string Scope = "read:messages";
    private const string Algs = "algs=\"ES256\"";

    private const string Token = "error=\"invalid_token\", error_description=\"Token has expired\"";
    private const string Proof = "error=\"invalid_dpop_proof\", error_description=\"DPoP proof has been used before\"";
    private const string Nonce = "error=\"use_dpop_nonce\", error_description=\"DPoP proof needs the server's nonce\"";
    private const string Scoped = "error=\"insufficient_scope\", scope=\"read:messages\"";

    private static Auth0Options Policy(DPoPMode mode, string algorithms = "ES256") =>
        BoundOptions.Of(("Auth0__DPoPMode", mode.ToString()), ("Auth0__DPoPAlgorithms", algorithms)).Value;

    private static string? Challenge(TokenRejection rejection, DPoPMode mode, CredentialScheme used) =>
        rejection.Challenge(Scope, used, Policy(mode));

    // Theories name the scheme, an internal type, by its name.
    private static string? Challenge(TokenRejection rejection, DPoPMode mode, string used) =>
        Challenge(rejection, mode, Enum.Parse<CredentialScheme>(used));

    // ----- No credentials (or a scheme that is not accepted): a challenge per scheme, without an error -----

    [Theory]
    [InlineData("None")]
    [InlineData("Bearer")]
    [InlineData("DPoP")]
    public void Disabled_a_request_without_credentials_is_challenged_for_a_bearer_token_only(string used)
    {
        Assert.Equal("Bearer", Challenge(TokenRejection.NotAuthenticated, DPoPMode.Disabled, used));
        Assert.Equal("Bearer", Challenge(TokenRejection.InvalidCredentials, DPoPMode.Disabled, used));
    }

    [Theory]
    [InlineData("None")]
    [InlineData("Bearer")]
    public void Allowed_a_request_without_credentials_is_challenged_for_both_schemes_Bearer_first(string used)
    {
        Assert.Equal("Bearer,DPoP " + Algs, Challenge(TokenRejection.NotAuthenticated, DPoPMode.Allowed, used));
        Assert.Equal("Bearer,DPoP " + Algs, Challenge(TokenRejection.InvalidCredentials, DPoPMode.Allowed, used));
    }

    [Fact]
    public void Allowed_a_DPoP_request_without_credentials_is_challenged_for_both_schemes_DPoP_first()
    {
        Assert.Equal("DPoP " + Algs + ",Bearer", Challenge(TokenRejection.NotAuthenticated, DPoPMode.Allowed, CredentialScheme.DPoP));
    }

    [Theory]
    [InlineData("None")]
    [InlineData("Bearer")]
    [InlineData("DPoP")]
    public void Required_a_request_without_credentials_is_challenged_for_DPoP_only(string used)
    {
        Assert.Equal("DPoP " + Algs, Challenge(TokenRejection.NotAuthenticated, DPoPMode.Required, used));
        Assert.Equal("DPoP " + Algs, Challenge(TokenRejection.InvalidCredentials, DPoPMode.Required, used));
    }

    [Fact]
    public void Required_a_bearer_token_is_challenged_for_DPoP_without_an_error()
    {
        Assert.Equal("DPoP " + Algs, Challenge(TokenRejection.DPoPRequired, DPoPMode.Required, CredentialScheme.Bearer));
    }

    // ----- An invalid token: the error on the scheme the request used -----

    [Theory]
    [InlineData("None")]
    [InlineData("Bearer")]
    [InlineData("DPoP")]
    public void Disabled_an_invalid_token_gets_the_bearer_error(string used)
    {
        Assert.Equal("Bearer " + Token, Challenge(TokenRejection.Expired, DPoPMode.Disabled, used));
    }

    [Theory]
    [InlineData("None")]
    [InlineData("Bearer")]
    public void Allowed_an_invalid_bearer_token_gets_the_error_on_Bearer_and_a_plain_DPoP_challenge(string used)
    {
        Assert.Equal($"Bearer {Token},DPoP {Algs}", Challenge(TokenRejection.Expired, DPoPMode.Allowed, used));
    }

    [Fact]
    public void Allowed_an_invalid_DPoP_token_gets_the_error_on_DPoP_first_and_a_plain_Bearer_challenge()
    {
        Assert.Equal($"DPoP {Token}, {Algs},Bearer", Challenge(TokenRejection.Expired, DPoPMode.Allowed, CredentialScheme.DPoP));
    }

    [Fact]
    public void Required_an_invalid_DPoP_token_gets_the_error_on_DPoP_only()
    {
        Assert.Equal($"DPoP {Token}, {Algs}", Challenge(TokenRejection.Expired, DPoPMode.Required, CredentialScheme.DPoP));
    }

    [Theory]
    [InlineData("None")]
    [InlineData("Bearer")]
    public void Required_a_token_rejection_on_another_scheme_offers_DPoP_alone(string used)
    {
        // Not reached by a request (a bearer token under Required is refused as DPoPRequired before it is read); the
        // answer still offers only the scheme the API accepts.
        Assert.Equal("DPoP " + Algs, Challenge(TokenRejection.Expired, DPoPMode.Required, used));
    }

    [Fact]
    public void Allowed_a_bound_token_sent_as_bearer_gets_the_error_on_Bearer()
    {
        Assert.Equal(
            "Bearer error=\"invalid_token\", error_description=\"Token is bound to a key; send it with the DPoP scheme and a proof\",DPoP " + Algs,
            Challenge(TokenRejection.BoundTokenAsBearer, DPoPMode.Allowed, CredentialScheme.Bearer));
    }

    [Fact]
    public void Allowed_an_unbound_token_sent_as_DPoP_gets_the_error_on_DPoP()
    {
        Assert.Equal(
            "DPoP error=\"invalid_token\", error_description=\"Token is not bound to a DPoP key\", " + Algs + ",Bearer",
            Challenge(TokenRejection.TokenNotBound, DPoPMode.Allowed, CredentialScheme.DPoP));
    }

    // ----- An invalid proof or a nonce challenge: always on DPoP -----

    [Theory]
    [InlineData("None")]
    [InlineData("Bearer")]
    [InlineData("DPoP")]
    public void Allowed_an_invalid_proof_gets_the_error_on_DPoP_first(string used)
    {
        Assert.Equal($"DPoP {Proof}, {Algs},Bearer", Challenge(TokenRejection.ProofReplayed, DPoPMode.Allowed, used));
    }

    [Theory]
    [InlineData("None")]
    [InlineData("Bearer")]
    [InlineData("DPoP")]
    public void Required_an_invalid_proof_gets_the_error_on_DPoP_only(string used)
    {
        Assert.Equal($"DPoP {Proof}, {Algs}", Challenge(TokenRejection.ProofReplayed, DPoPMode.Required, used));
    }

    [Theory]
    [InlineData("None")]
    [InlineData("Bearer")]
    [InlineData("DPoP")]
    public void Allowed_a_nonce_challenge_is_use_dpop_nonce_on_DPoP_first(string used)
    {
        Assert.Equal($"DPoP {Nonce}, {Algs},Bearer", Challenge(TokenRejection.MissingNonce, DPoPMode.Allowed, used));
    }

    [Theory]
    [InlineData("None")]
    [InlineData("Bearer")]
    [InlineData("DPoP")]
    public void Required_a_nonce_challenge_is_use_dpop_nonce_on_DPoP_only(string used)
    {
        Assert.Equal($"DPoP {Nonce}, {Algs}", Challenge(TokenRejection.MissingNonce, DPoPMode.Required, used));
    }

    [Fact]
    public void A_stale_nonce_is_challenged_like_a_missing_one()
    {
        Assert.Equal(
            "DPoP error=\"use_dpop_nonce\", error_description=\"DPoP proof nonce is stale or unknown\", " + Algs + ",Bearer",
            Challenge(TokenRejection.StaleNonce, DPoPMode.Allowed, CredentialScheme.DPoP));
    }

    // ----- Insufficient scope: the scope named on the scheme the request used -----

    [Theory]
    [InlineData("None")]
    [InlineData("Bearer")]
    [InlineData("DPoP")]
    public void Disabled_insufficient_scope_names_the_scope_on_Bearer(string used)
    {
        Assert.Equal("Bearer " + Scoped, Challenge(TokenRejection.InsufficientScope, DPoPMode.Disabled, used));
    }

    [Theory]
    [InlineData("None")]
    [InlineData("Bearer")]
    public void Allowed_insufficient_scope_of_a_bearer_token_names_the_scope_on_Bearer(string used)
    {
        Assert.Equal($"Bearer {Scoped},DPoP {Algs}", Challenge(TokenRejection.InsufficientScope, DPoPMode.Allowed, used));
    }

    [Fact]
    public void Allowed_insufficient_scope_of_a_DPoP_token_names_the_scope_on_DPoP()
    {
        Assert.Equal($"DPoP {Scoped}, {Algs},Bearer", Challenge(TokenRejection.InsufficientScope, DPoPMode.Allowed, CredentialScheme.DPoP));
    }

    [Fact]
    public void Required_insufficient_scope_of_a_DPoP_token_names_the_scope_on_DPoP_only()
    {
        Assert.Equal($"DPoP {Scoped}, {Algs}", Challenge(TokenRejection.InsufficientScope, DPoPMode.Required, CredentialScheme.DPoP));
    }

    // ----- A fault of the server's: no challenge at all -----

    [Theory]
    [InlineData(DPoPMode.Disabled, "None")]
    [InlineData(DPoPMode.Disabled, "Bearer")]
    [InlineData(DPoPMode.Allowed, "None")]
    [InlineData(DPoPMode.Allowed, "Bearer")]
    [InlineData(DPoPMode.Allowed, "DPoP")]
    [InlineData(DPoPMode.Required, "None")]
    [InlineData(DPoPMode.Required, "Bearer")]
    [InlineData(DPoPMode.Required, "DPoP")]
    public void A_rejection_that_asks_to_retry_later_carries_no_challenge(DPoPMode mode, string used)
    {
        Assert.Null(Challenge(TokenRejection.KeysUnavailable, mode, used));
        Assert.Null(Challenge(TokenRejection.ReplayMemoryFull, mode, used));
        Assert.Null(Challenge(TokenRejection.ReplayStoreUnavailable, mode, used));
    }

    // ----- DPoP disabled is exactly the app before DPoP; the algorithms are those configured -----

    public static TheoryData<string, string?> BeforeDPoP() => new()
    {
        { nameof(TokenRejection.NotAuthenticated), "Bearer" },
        { nameof(TokenRejection.InvalidCredentials), "Bearer" },
        { nameof(TokenRejection.Expired), "Bearer error=\"invalid_token\", error_description=\"Token has expired\"" },
        { nameof(TokenRejection.NotYetValid), "Bearer error=\"invalid_token\", error_description=\"Token is not yet valid\"" },
        { nameof(TokenRejection.NoExpiry), "Bearer error=\"invalid_token\", error_description=\"Token has no expiry\"" },
        { nameof(TokenRejection.InvalidAudience), "Bearer error=\"invalid_token\", error_description=\"Invalid audience\"" },
        { nameof(TokenRejection.InvalidIssuer), "Bearer error=\"invalid_token\", error_description=\"Invalid issuer\"" },
        { nameof(TokenRejection.NoMatchingKey), "Bearer error=\"invalid_token\", error_description=\"No signing key matches the token\"" },
        { nameof(TokenRejection.InvalidSignature), "Bearer error=\"invalid_token\", error_description=\"Invalid signature\"" },
        { nameof(TokenRejection.AlgorithmNotAllowed), "Bearer error=\"invalid_token\", error_description=\"Algorithm not allowed\"" },
        { nameof(TokenRejection.UnsupportedCriticalHeader), "Bearer error=\"invalid_token\", error_description=\"Unsupported critical header\"" },
        { nameof(TokenRejection.TooLarge), "Bearer error=\"invalid_token\", error_description=\"Token is too large\"" },
        { nameof(TokenRejection.Malformed), "Bearer error=\"invalid_token\", error_description=\"Malformed token\"" },
        { nameof(TokenRejection.BoundTokenAsBearer), "Bearer error=\"invalid_token\", error_description=\"Token is bound to a key; send it with the DPoP scheme and a proof\"" },
        { nameof(TokenRejection.UnsupportedBinding), "Bearer error=\"invalid_token\", error_description=\"Token is bound in a way this API cannot check\"" },
        { nameof(TokenRejection.InsufficientScope), "Bearer error=\"insufficient_scope\", scope=\"read:messages\"" },
        { nameof(TokenRejection.KeysUnavailable), null },
    };

    [Theory]
    [MemberData(nameof(BeforeDPoP))]
    public void Disabled_every_rejection_a_request_can_get_is_challenged_exactly_as_before_DPoP(string rejection, string? expected)
    {
        var found = (TokenRejection)typeof(TokenRejection).GetProperty(rejection)!.GetValue(null)!;
        var policy = Policy(DPoPMode.Disabled);
        Assert.True(found.AppliesTo(policy));

        foreach (var used in Enum.GetValues<CredentialScheme>())
        {
            Assert.Equal(expected, found.Challenge(Scope, used, policy));
        }
    }

    [Fact]
    public void Disabled_the_challenges_before_DPoP_name_every_rejection_a_request_can_get()
    {
        var policy = Policy(DPoPMode.Disabled);
        var listed = BeforeDPoP().Select(row => (string)row[0]).ToHashSet(StringComparer.Ordinal);

        var applying = typeof(TokenRejection).GetProperties()
            .Where(p => p.PropertyType == typeof(TokenRejection) && ((TokenRejection)p.GetValue(null)!).AppliesTo(policy))
            .Select(p => p.Name);

        Assert.Equal(listed.Order(StringComparer.Ordinal), applying.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Disabled_no_challenge_ever_names_DPoP()
    {
        var policy = Policy(DPoPMode.Disabled);

        foreach (var rejection in TokenRejection.All.Where(r => r.AppliesTo(policy)))
        {
            foreach (var used in Enum.GetValues<CredentialScheme>())
            {
                var challenge = rejection.Challenge(Scope, used, policy) ?? "Bearer";
                Assert.StartsWith("Bearer", challenge, StringComparison.Ordinal);
                Assert.DoesNotContain(",DPoP", challenge, StringComparison.Ordinal);
                Assert.DoesNotContain("algs=", challenge, StringComparison.Ordinal);
            }
        }
    }

    // ----- Which rejections a request can get under each mode (for the API docs) -----

    [Fact]
    public void Disabled_no_proof_nonce_or_DPoP_only_rejection_applies()
    {
        var policy = Policy(DPoPMode.Disabled);

        Assert.All(TokenRejection.All.Where(r => r.Error is "invalid_dpop_proof" or "use_dpop_nonce"), r => Assert.False(r.AppliesTo(policy), r.Reason));
        Assert.False(TokenRejection.DPoPRequired.AppliesTo(policy));
        Assert.False(TokenRejection.TokenNotBound.AppliesTo(policy));
        Assert.False(TokenRejection.ReplayMemoryFull.AppliesTo(policy));
        Assert.False(TokenRejection.ReplayStoreUnavailable.AppliesTo(policy));
        Assert.True(TokenRejection.BoundTokenAsBearer.AppliesTo(policy));
        Assert.True(TokenRejection.UnsupportedBinding.AppliesTo(policy));
        Assert.True(TokenRejection.InvalidCredentials.AppliesTo(policy));
    }

    [Fact]
    public void Allowed_without_nonces_every_proof_rejection_applies_but_the_nonce_ones()
    {
        var policy = Policy(DPoPMode.Allowed);

        Assert.All(TokenRejection.All.Where(r => r.Error == "invalid_dpop_proof"), r => Assert.True(r.AppliesTo(policy), r.Reason));
        Assert.False(TokenRejection.MissingNonce.AppliesTo(policy));
        Assert.False(TokenRejection.StaleNonce.AppliesTo(policy));
        Assert.False(TokenRejection.DPoPRequired.AppliesTo(policy));
        Assert.True(TokenRejection.BoundTokenAsBearer.AppliesTo(policy));
        Assert.True(TokenRejection.TokenNotBound.AppliesTo(policy));
        Assert.True(TokenRejection.ReplayMemoryFull.AppliesTo(policy));
        Assert.True(TokenRejection.ReplayStoreUnavailable.AppliesTo(policy));
    }

    [Theory]
    [InlineData(DPoPMode.Allowed)]
    [InlineData(DPoPMode.Required)]
    public void With_nonces_on_the_nonce_rejections_apply(DPoPMode mode)
    {
        var policy = BoundOptions.Of(("Auth0__DPoPMode", mode.ToString()), ("Auth0__DPoPNonceSecret", new string('s', 32))).Value;

        Assert.True(TokenRejection.MissingNonce.AppliesTo(policy));
        Assert.True(TokenRejection.StaleNonce.AppliesTo(policy));
    }

    [Fact]
    public void With_nonces_on_but_DPoP_disabled_no_nonce_rejection_applies()
    {
        var policy = BoundOptions.Of(("Auth0__DPoPMode", "Disabled"), ("Auth0__DPoPNonceSecret", new string('s', 32))).Value;

        Assert.False(TokenRejection.MissingNonce.AppliesTo(policy));
        Assert.False(TokenRejection.StaleNonce.AppliesTo(policy));
    }

    [Fact]
    public void Required_a_bearer_token_gets_DPoPRequired_and_never_BoundTokenAsBearer()
    {
        var policy = Policy(DPoPMode.Required);

        Assert.True(TokenRejection.DPoPRequired.AppliesTo(policy));
        Assert.False(TokenRejection.BoundTokenAsBearer.AppliesTo(policy));
        Assert.True(TokenRejection.TokenNotBound.AppliesTo(policy));
    }

    [Fact]
    public void The_DPoP_challenge_names_every_configured_algorithm_separated_by_spaces()
    {
        Assert.Equal("Bearer,DPoP algs=\"ES256 PS256 RS256\"", TokenRejection.NotAuthenticated.Challenge(Scope, CredentialScheme.None, Policy(DPoPMode.Allowed, "ES256, PS256,RS256")));
    }

    [Fact]
    public void Every_challenge_comes_out_of_the_workers_header_collection_unchanged()
    {
        // Under the gRPC model the worker parses a response header into its challenges and joins them with a bare
        // comma; under ASP.NET Core integration it sends the value as added. Only a value that survives the first
        // unchanged is the same in both.
        foreach (var mode in Enum.GetValues<DPoPMode>())
        {
            var policy = Policy(mode);
            foreach (var rejection in TokenRejection.All.Where(r => r.AppliesTo(policy)))
            {
                foreach (var used in Enum.GetValues<CredentialScheme>())
                {
                    if (rejection.Challenge(Scope, used, policy) is { } challenge)
                    {
                        var headers = new Microsoft.Azure.Functions.Worker.Http.HttpHeadersCollection();
                        headers.TryAddWithoutValidation("WWW-Authenticate", challenge);
                        Assert.Equal(challenge, string.Join(",", headers.Single().Value));
                    }
                }
            }
        }
    }
}
