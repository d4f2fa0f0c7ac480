using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>How many times the app goes back to the issuer, measured on workers of their own.</summary>
public sealed class KeyRefreshThrottleTests
{
    private const int Concurrency = 50;

    [Fact]
    public async Task Concurrent_first_requests_with_a_rotated_key_share_one_refresh()
    {
        await using var app = await AppFixture.StartAsync();
        await app.WarmUpAsync();
        var fetchesBefore = app.Issuer.JwksRequests;
        app.Issuer.RotateKey();

        var responses = await Task.WhenAll(
            Enumerable.Range(0, Concurrency).Select(_ => app.GetPrivateWithTokenAsync(app.Issuer.CreateToken())));

        Assert.All(responses, r => Assert.Equal(200, (int)r.StatusCode));
        Assert.Equal(fetchesBefore + 1, app.Issuer.JwksRequests);
    }

    [Fact]
    public async Task A_flood_of_random_kids_causes_one_refresh_and_valid_tokens_keep_working()
    {
        await using var app = await AppFixture.StartAsync(settings => settings["Auth0__MinimumRefreshIntervalSeconds"] = "3600");
        await app.WarmUpAsync();
        var fetchesBefore = app.Issuer.JwksRequests;
        var valid = app.Issuer.CreateToken();
        var randomKids = Enumerable.Range(0, Concurrency).Select(_ =>
        {
            var header = app.Issuer.NewHeader();
            header["kid"] = Guid.NewGuid().ToString();
            return app.Issuer.Sign(header, app.Issuer.NewPayload());
        }).ToArray();

        var flood = Task.WhenAll(randomKids.Select(app.GetPrivateWithTokenAsync));
        var legitimate = Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => app.GetPrivateWithTokenAsync(valid)));

        Assert.All(await flood, r => Assert.Equal(400, (int)r.StatusCode));
        Assert.All(await legitimate, r => Assert.Equal(200, (int)r.StatusCode));
        Assert.Equal(fetchesBefore + 1, app.Issuer.JwksRequests);
    }
}
