using System.Text;
using FunctionApp.Auth;
using FunctionApp.TestHost.Issuer;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Auth;

/// <summary>The validator in this process, against a real local issuer: what it accepts, what it remembers, when it fetches.</summary>
public sealed class Auth0TokenValidatorTests : IAsyncLifetime
{
    private readonly InProcessValidator _app = new();

    public Task InitializeAsync() => _app.InitializeAsync();

    public Task DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task A_valid_token_is_verified_with_its_payload_exactly_as_signed()
    {
        var payload = _app.Issuer.NewPayload();

        var result = await _app.ValidateAsync(_app.Issuer.Sign(_app.Issuer.NewHeader(), payload));

        Assert.True(result.IsVerified);
        Assert.Equal(payload.ToJsonString(), Encoding.UTF8.GetString(result.Token.PayloadJson.Span));
        Assert.Equal(_app.Issuer.SigningKey.Id, result.KeyId);
    }

    [Fact]
    public async Task A_verified_token_is_remembered_and_found_again_as_the_same_object()
    {
        var token = _app.Issuer.CreateToken();

        var first = await _app.ValidateAsync(token);
        var again = await _app.ValidateAsync(token);

        Assert.True(first.IsVerified, first.Rejection?.Reason);
        Assert.Same(first.Token, again.Token);
    }

    [Fact]
    public async Task A_remembered_token_is_found_again_until_its_exp_plus_the_clock_skew()
    {
        var (token, expires) = TokenExpiringInAMinute();
        var first = await _app.ValidateAsync(token);

        _app.Clock.AdvanceTo(expires + _app.Options.Value.ClockSkew - TimeSpan.FromTicks(1));
        var again = await _app.ValidateAsync(token);

        Assert.True(again.IsVerified, again.Rejection?.Reason);
        Assert.Same(first.Token, again.Token);
    }

    [Fact]
    public async Task A_remembered_token_is_refused_from_the_instant_of_its_exp_plus_the_clock_skew()
    {
        var (token, expires) = TokenExpiringInAMinute();
        var first = await _app.ValidateAsync(token);
        Assert.True(first.IsVerified, first.Rejection?.Reason);
        Assert.Same(first.Token, (await _app.ValidateAsync(token)).Token);

        _app.Clock.AdvanceTo(expires + _app.Options.Value.ClockSkew);
        var result = await _app.ValidateAsync(token);

        Assert.Same(TokenRejection.Expired, result.Rejection);
    }

    [Fact]
    public async Task A_rejected_token_is_never_remembered()
    {
        var payload = _app.Issuer.NewPayload();
        payload["aud"] = "https://other.test/";
        await _app.ValidateAsync(_app.Issuer.CreateToken());
        var keys = _app.Keys.Current;
        var remembered = keys!.Memory.Count;

        var result = await _app.ValidateAsync(_app.Issuer.Sign(_app.Issuer.NewHeader(), payload));

        Assert.Same(TokenRejection.InvalidAudience, result.Rejection);
        Assert.Equal(remembered, keys.Memory.Count);
    }

    [Fact]
    public async Task A_token_with_a_known_kid_is_verified_at_once_while_a_refresh_for_an_unknown_kid_waits_on_the_tenant()
    {
        Assert.True((await _app.ValidateAsync(_app.Issuer.CreateToken())).IsVerified);
        _app.Clock.Advance(_app.Options.Value.MinimumRefreshInterval);
        _app.Issuer.Mode = IssuerMode.Held;
        var refreshing = _app.Issuer.NextMetadataRequest;

        var waiting = _app.ValidateAsync(_app.Issuer.CreateToken(keyId: "not-published"));
        await refreshing.WaitAsync(TimeSpan.FromSeconds(30));
        var known = await _app.ValidateAsync(_app.Issuer.CreateToken());

        Assert.True(known.IsVerified, known.Rejection?.Reason);
        Assert.False(waiting.IsCompleted);
        _app.Issuer.Mode = IssuerMode.Up;
        Assert.Same(TokenRejection.NoMatchingKey, (await waiting).Rejection);
    }

    [Fact]
    public async Task A_refresh_that_brings_the_same_keys_keeps_the_tokens_they_verified()
    {
        var token = _app.Issuer.CreateToken();
        var first = await _app.ValidateAsync(token);
        var fetchesBefore = _app.Issuer.JwksRequests;

        await _app.ValidateAsync(_app.Issuer.CreateToken(keyId: "not-published"));
        var again = await _app.ValidateAsync(token);

        Assert.Equal(fetchesBefore + 1, _app.Issuer.JwksRequests);
        Assert.True(first.IsVerified, first.Rejection?.Reason);
        Assert.Same(first.Token, again.Token);
    }

    [Fact]
    public async Task A_token_signed_with_a_key_published_after_the_keys_were_fetched_is_verified_after_a_refresh()
    {
        Assert.True((await _app.ValidateAsync(_app.Issuer.CreateToken())).IsVerified);
        _app.Issuer.RotateKey();

        var result = await _app.ValidateAsync(_app.Issuer.CreateToken());

        Assert.True(result.IsVerified, result.Rejection?.Reason);
    }

    [Fact]
    public async Task A_discovery_document_that_names_another_issuer_brings_no_keys()
    {
        _app.Issuer.DiscoveryIssuer = "https://another-tenant.example/";

        var result = await _app.ValidateAsync(_app.Issuer.CreateToken());

        Assert.Same(TokenRejection.KeysUnavailable, result.Rejection);
    }

    [Fact]
    public async Task An_unknown_kid_within_the_minimum_refresh_interval_of_the_last_refresh_costs_no_fetch()
    {
        // The longest interval the settings allow, so the test cannot outlast it however slow the machine.
        await InProcessValidator.WithAsync(s => s["Auth0__MinimumRefreshIntervalSeconds"] = "86400", async app =>
        {
            Assert.True((await app.ValidateAsync(app.Issuer.CreateToken())).IsVerified);
            await app.ValidateAsync(app.Issuer.CreateToken(keyId: "not-published-1"));
            var fetchesAfterRefresh = app.Issuer.JwksRequests;

            var result = await app.ValidateAsync(app.Issuer.CreateToken(keyId: "not-published-2"));

            Assert.Same(TokenRejection.NoMatchingKey, result.Rejection);
            Assert.Equal(fetchesAfterRefresh, app.Issuer.JwksRequests);
        });
    }

    // A token whose exp is a whole second a minute ahead of the app's clock, and that instant.
    private (string Token, DateTimeOffset Expires) TokenExpiringInAMinute()
    {
        var expires = DateTimeOffset.FromUnixTimeSeconds(_app.Clock.GetUtcNow().ToUnixTimeSeconds() + 60);
        var payload = _app.Issuer.NewPayload();
        payload["exp"] = expires.ToUnixTimeSeconds();
        return (_app.Issuer.Sign(_app.Issuer.NewHeader(), payload), expires);
    }
}
