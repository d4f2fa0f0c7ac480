using Azure.Core;
using FunctionApp.Auth;
using FunctionApp.TestHost.Issuer;
using FunctionApp.TestHost.Redis;
using FunctionApp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace FunctionApp.Tests.Auth;

/// <summary>
/// The shared replay store signed in with a managed identity's Entra token, against a real redis-server that, as Azure
/// Managed Redis, refuses anonymous clients and knows the identity as a user named by its object ID whose password is
/// the token; the test's credential stands in for the identity.
/// </summary>
public sealed class RedisEntraSignInTests : IAsyncLifetime, IDisposable
{
    private const string Url = "https://app.example/api/private";
    private const string ObjectId = "6f1c2d3e-0a4b-4c5d-8e9f-112233445566";

    private static readonly string FirstToken = StubTokenCredential.TokenFor(ObjectId, "1");
    private static readonly string RenewedToken = StubTokenCredential.TokenFor(ObjectId, "2");

    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private readonly StubTokenCredential _credential = new();
    private readonly CapturedLogs _logs = new();
    private readonly DPoPKey _key = DPoPKey.CreateEs256();
    private readonly List<IAsyncDisposable> _disposables = [];
    private RedisServer _redis = null!;
    private LocalIssuer _issuer = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        await _redis.SetUserAsync(ObjectId, FirstToken);
        await _redis.RefuseAnonymousAsync();
        _issuer = await LocalIssuer.StartAsync(AppFixture.Audience);
        _credential.Hand(FirstToken, _time.GetUtcNow().AddHours(1));
    }

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }

        await _issuer.DisposeAsync();
        await _redis.DisposeAsync();
    }

    public void Dispose() => _key.Dispose();

    [Fact]
    public async Task The_store_signs_in_as_the_identity_s_object_id_and_remembers_proofs()
    {
        var instance = Instance();
        var token = _issuer.CreateBoundToken(_key);
        var proof = ProofIssuedNow(token);

        Assert.True((await Validate(instance, "DPoP " + token, proof)).IsVerified);
        Assert.Same(TokenRejection.ProofReplayed, (await Validate(instance, "DPoP " + token, proof)).Rejection);
        Assert.Single(await _redis.ClientsAsync(ObjectId));
    }

    [Fact]
    public async Task A_live_connection_signs_in_again_with_the_token_the_credential_renews()
    {
        var instance = Instance();
        var token = _issuer.CreateBoundToken(_key);
        Assert.True((await Validate(instance, "DPoP " + token, ProofIssuedNow(token))).IsVerified);
        var connection = Assert.Single(await _redis.ClientsAsync(ObjectId));
        await _redis.SetUserAsync(ObjectId, RenewedToken);
        _credential.Hand(RenewedToken, _time.GetUtcNow().AddHours(1));

        await instance.GetRequiredService<RedisEntraSignIn>().RefreshAsync();

        // The same connection, not a new one, last ran AUTH, and Redis refused no sign-in: only the new token is its password.
        Assert.Equal(connection with { LastCommand = "auth" }, Assert.Single(await _redis.ClientsAsync(ObjectId)));
        Assert.Equal(0, await _redis.RefusedSignInsAsync());
        Assert.True((await Validate(instance, "DPoP " + token, ProofIssuedNow(token))).IsVerified);
    }

    [Fact]
    public async Task A_token_is_renewed_five_minutes_before_it_expires()
    {
        await SignedInAsync();

        AssertTheCredentialIsAskedAgainAfter(TimeSpan.FromMinutes(55));
    }

    [Fact]
    public async Task A_renewal_Redis_takes_is_renewed_in_its_turn_five_minutes_before_the_new_token_expires()
    {
        var signIn = await SignedInAsync();
        await _redis.SetUserAsync(ObjectId, RenewedToken);
        _credential.Hand(RenewedToken, _time.GetUtcNow().AddHours(1));
        await signIn.RefreshAsync();
        Assert.Equal(0, await _redis.RefusedSignInsAsync());

        AssertTheCredentialIsAskedAgainAfter(TimeSpan.FromMinutes(55));
    }

    [Fact]
    public async Task A_renewal_Redis_refuses_is_tried_again_ten_seconds_later()
    {
        var signIn = await SignedInAsync();
        _credential.Hand(RenewedToken, _time.GetUtcNow().AddHours(1));
        await signIn.RefreshAsync();
        Assert.Equal(1, await _redis.RefusedSignInsAsync());

        AssertTheCredentialIsAskedAgainAfter(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Renewal_waits_for_the_time_the_credential_says_it_would_fetch_a_new_token()
    {
        var now = _time.GetUtcNow();

        Assert.Equal(TimeSpan.FromHours(12), RedisEntraSignIn.RenewalDelay(new AccessToken(FirstToken, now.AddHours(24), now.AddHours(12)), now));
    }

    [Fact]
    public void A_token_the_credential_would_fetch_again_right_now_is_renewed_halfway_to_its_expiry()
    {
        var now = _time.GetUtcNow();

        Assert.Equal(TimeSpan.FromMinutes(30), RedisEntraSignIn.RenewalDelay(new AccessToken(FirstToken, now.AddHours(1), now), now));
    }

    [Fact]
    public void A_token_living_less_than_five_minutes_is_renewed_halfway_and_never_sooner_than_ten_seconds()
    {
        var now = _time.GetUtcNow();

        Assert.Equal(TimeSpan.FromMinutes(2), RedisEntraSignIn.RenewalDelay(new AccessToken(FirstToken, now.AddMinutes(4)), now));
        Assert.Equal(TimeSpan.FromSeconds(10), RedisEntraSignIn.RenewalDelay(new AccessToken(FirstToken, now.AddSeconds(6)), now));
        Assert.Equal(TimeSpan.FromSeconds(10), RedisEntraSignIn.RenewalDelay(new AccessToken(FirstToken, now.AddMinutes(-1)), now));
    }

    [Fact]
    public void The_user_is_the_oid_claim_of_the_token()
    {
        Assert.Equal(ObjectId, RedisEntraSignIn.ObjectIdOf(FirstToken));
    }

    [Theory]
    [InlineData("opaque-token")]
    [InlineData("a.b")]
    [InlineData("eyJhIjoxfQ.eyJzdWIiOiJ4In0.c2ln")]
    [InlineData("eyJhIjoxfQ.eyJvaWQiOjF9.c2ln")]
    [InlineData("eyJhIjoxfQ.W10.c2ln")]
    [InlineData("eyJhIjoxfQ.!!.c2ln")]
    [InlineData("eyJhIjoxfQ.bm90IGpzb24.c2ln")]
    public void A_token_that_is_not_a_JWT_with_a_string_oid_names_no_user(string token)
    {
        Assert.Null(RedisEntraSignIn.ObjectIdOf(token));
    }

    [Fact]
    public async Task While_the_credential_fails_DPoP_requests_are_answered_503()
    {
        _credential.Fail();
        var instance = Instance();
        var token = _issuer.CreateBoundToken(_key);

        Assert.Same(TokenRejection.ReplayStoreUnavailable, (await Validate(instance, "DPoP " + token, ProofIssuedNow(token))).Rejection);
    }

    [Fact]
    public async Task While_the_credential_fails_bearer_requests_are_accepted()
    {
        _credential.Fail();
        var instance = Instance();
        _ = instance.GetRequiredService<RedisDPoPReplayStore>();

        Assert.True((await Validate(instance, "Bearer " + _issuer.CreateToken(), null)).IsVerified);
    }

    [Fact]
    public async Task Once_the_credential_answers_again_DPoP_requests_are_accepted()
    {
        _credential.Fail();
        var instance = Instance();
        var token = _issuer.CreateBoundToken(_key);
        Assert.Same(TokenRejection.ReplayStoreUnavailable, (await Validate(instance, "DPoP " + token, ProofIssuedNow(token))).Rejection);
        _credential.Hand(FirstToken, _time.GetUtcNow().AddHours(1));

        await instance.GetRequiredService<RedisEntraSignIn>().RefreshAsync();

        Assert.True((await Validate(instance, "DPoP " + token, ProofIssuedNow(token))).IsVerified);
    }

    [Fact]
    public async Task No_token_reaches_the_logs_when_the_credential_fails_or_Redis_refuses_a_renewal()
    {
        _credential.Fail();
        var instance = Instance();
        var token = _issuer.CreateBoundToken(_key);
        await Validate(instance, "DPoP " + token, ProofIssuedNow(token));
        _credential.Hand(FirstToken, _time.GetUtcNow().AddHours(1));
        await instance.GetRequiredService<RedisEntraSignIn>().RefreshAsync();
        // A proof accepted: the connection is up and signed in, so the renewal below is sent to it and refused.
        Assert.True((await Validate(instance, "DPoP " + token, ProofIssuedNow(token))).IsVerified);
        _credential.Hand(RenewedToken, _time.GetUtcNow().AddHours(1));

        await instance.GetRequiredService<RedisEntraSignIn>().RefreshAsync();

        var signIn = _logs.Lines.Where(l => l.Category == typeof(RedisEntraSignIn).FullName).ToList();
        Assert.Contains(signIn, l => l.Level == LogLevel.Error && l.Message.Contains("CredentialUnavailableException", StringComparison.Ordinal));
        Assert.Contains(signIn, l => l.Level == LogLevel.Warning && l.Message.Contains("did not take the renewed token", StringComparison.Ordinal));
        Assert.All(_logs.Lines, l => Assert.DoesNotContain(FirstToken.Split('.')[1], l.Message, StringComparison.Ordinal));
        Assert.All(_logs.Lines, l => Assert.DoesNotContain(RenewedToken.Split('.')[1], l.Message, StringComparison.Ordinal));
    }

    private static Task<AccessTokenResult> Validate(ServiceProvider instance, string authorization, string? proof) =>
        instance.GetRequiredService<Auth0TokenValidator>().ValidateAsync(
            new ProtectedRequest(authorization, proof, "GET", new Uri(Url)), CancellationToken.None);

    private string ProofIssuedNow(string token)
    {
        var payload = _key.NewProofPayload("GET", Url, token);
        payload["iat"] = _time.GetUtcNow().ToUnixTimeSeconds();
        return _key.Sign(_key.NewProofHeader(), payload);
    }

    // The renewal timer's next turn, on the test's clock: not a tick before delay, and exactly once at it.
    private void AssertTheCredentialIsAskedAgainAfter(TimeSpan delay)
    {
        var asked = _credential.Requests;

        _time.Advance(delay - TimeSpan.FromTicks(1));
        Assert.Equal(asked, _credential.Requests);

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(asked + 1, _credential.Requests);
    }

    // A sign-in of the test's own and the connection it made; disposed in that order, as the store disposes them.
    private async Task<RedisEntraSignIn> SignedInAsync()
    {
        var signIn = new RedisEntraSignIn(_credential, _time, NullLogger<RedisEntraSignIn>.Instance);
        _disposables.Add(signIn);
        _disposables.Add(await signIn.ConnectAsync(ConfigurationOptions.Parse(_redis.Configuration)));
        return signIn;
    }

    private ServiceProvider Instance()
    {
        var instance = new ServiceCollection()
            .AddSingleton<TimeProvider>(_time)
            .AddSingleton(_logs.CreateFactory())
            .AddKeyedSingleton<TokenCredential>(RedisEntraSignIn.CredentialKey, _credential)
            .AddAuth0TokenValidation(_issuer.AppConfiguration(settings =>
            {
                settings["Auth0__DPoPReplayStore"] = "Redis";
                settings["Auth0__DPoPReplayRedis"] = _redis.Configuration;
                settings["Auth0__DPoPReplayRedisIdentity"] = "ManagedIdentity";
            }).GetSection("Auth0"))
            .BuildServiceProvider();
        _disposables.Add(instance);
        return instance;
    }
}
