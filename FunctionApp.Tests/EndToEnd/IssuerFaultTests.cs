using FunctionApp.TestHost.Issuer;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>A broken answer from the issuer never replaces keys that work. Each test gets its own worker.</summary>
public sealed class IssuerFaultTests
{
    [Theory]
    [InlineData(IssuerMode.NoKeys)]
    [InlineData(IssuerMode.Html)]
    [InlineData(IssuerMode.Down)]
    public async Task Private_keeps_the_last_good_keys_when_a_refresh_gets_a_bad_answer(IssuerMode fault)
    {
        await using var app = await AppFixture.StartAsync();
        await app.WarmUpAsync();
        var fetchesBefore = app.Issuer.MetadataRequests;

        app.Issuer.Mode = fault;
        using var unknown = await app.GetPrivateWithTokenAsync(app.Issuer.CreateToken(keyId: "not-published"));
        using var known = await app.GetPrivateWithTokenAsync(app.Issuer.CreateToken());

        await ResponseAssert.InvalidTokenAsync(unknown, "No signing key matches the token");
        Assert.Equal(200, (int)known.StatusCode);
        // One refresh, for the unknown kid (IdentityModel's document retriever retries a 503 once by itself); the
        // request with a cached kid causes none.
        Assert.Equal(fault == IssuerMode.Down ? 2 : 1, app.Issuer.MetadataRequests - fetchesBefore);
    }

    [Fact]
    public async Task Requests_whose_kid_is_cached_are_answered_while_a_refresh_waits_on_a_slow_issuer()
    {
        // A timeout longer than the test: the refresh ends only when the issuer is let go, never by itself.
        await using var app = await AppFixture.StartAsync(settings => settings["Auth0__MetadataTimeoutSeconds"] = "60");
        await app.WarmUpAsync();
        app.Issuer.Mode = IssuerMode.Held;
        var refreshing = app.Issuer.NextMetadataRequest;
        var needsRefresh = app.GetPrivateWithTokenAsync(app.Issuer.CreateToken(keyId: "needs-a-refresh"));
        await refreshing.WaitAsync(TimeSpan.FromSeconds(30));

        // Distinct tokens, so each is verified afresh rather than found in the memory of verified tokens.
        var cached = await Task.WhenAll(Enumerable.Range(0, 49).Select(_ => app.GetPrivateWithTokenAsync(app.Issuer.CreateToken())));

        Assert.All(cached, r => Assert.Equal(200, (int)r.StatusCode));
        Assert.False(needsRefresh.IsCompleted, "the request that needs the refresh waits for it, and it is still held");
        app.Issuer.Mode = IssuerMode.Up;
        using var refreshed = await needsRefresh;
        await ResponseAssert.InvalidTokenAsync(refreshed, "No signing key matches the token");
    }

    [Fact]
    public async Task A_slow_issuer_times_out_and_the_request_is_answered()
    {
        // The default timeout (5 s): the fetch at start must not fail on a busy machine; the refresh below times out.
        await using var app = await AppFixture.StartAsync();
        await app.WarmUpAsync();
        app.Issuer.Mode = IssuerMode.Unresponsive;

        using var response = await app.GetPrivateWithTokenAsync(app.Issuer.CreateToken(keyId: "needs-a-refresh"));

        await ResponseAssert.InvalidTokenAsync(response, "No signing key matches the token");
    }

    [Fact]
    public async Task A_slow_issuer_at_start_gives_503_not_a_hang()
    {
        await using var app = await AppFixture.StartAsync(settings => settings["Auth0__MetadataTimeoutSeconds"] = "1", IssuerMode.Unresponsive);

        using var response = await app.GetPrivateWithTokenAsync(app.Issuer.CreateToken());

        Assert.Equal(503, (int)response.StatusCode);
    }

    [Fact]
    public async Task A_key_removed_from_the_JWKS_stops_working_once_the_keys_are_refreshed()
    {
        await using var app = await AppFixture.StartAsync();
        await app.WarmUpAsync();
        var retired = app.Issuer.SigningKey;
        app.Issuer.RotateKey(retireOld: true);

        using var rotated = await app.GetPrivateWithTokenAsync(app.Issuer.CreateToken());
        using var old = await app.GetPrivateWithTokenAsync(app.Issuer.Sign(app.Issuer.NewHeader(retired), app.Issuer.NewPayload(), retired));

        Assert.Equal(200, (int)rotated.StatusCode);
        await ResponseAssert.InvalidTokenAsync(old, "No signing key matches the token");
    }

    [Fact]
    public async Task A_token_verified_before_its_key_was_removed_stops_working_once_the_keys_are_refreshed()
    {
        await using var app = await AppFixture.StartAsync();
        var seenBefore = app.Issuer.CreateToken();
        using (var first = await app.GetPrivateWithTokenAsync(seenBefore))
        {
            Assert.Equal(200, (int)first.StatusCode);
        }

        app.Issuer.RotateKey(retireOld: true);
        using var rotated = await app.GetPrivateWithTokenAsync(app.Issuer.CreateToken());
        using var again = await app.GetPrivateWithTokenAsync(seenBefore);

        Assert.Equal(200, (int)rotated.StatusCode);
        await ResponseAssert.InvalidTokenAsync(again, "No signing key matches the token");
    }
}
