using FunctionApp.Auth;
using FunctionApp.Tests.Support;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace FunctionApp.Tests.Auth;

/// <summary>
/// One domain's keys against a real local issuer, with a configuration manager the test holds: what the manager
/// fetches on its own, in the background, is what the next token is checked against.
/// </summary>
public sealed class DomainSigningKeysTests : IAsyncLifetime, IDisposable
{
    private readonly InProcessValidator _app = new();
    private readonly HttpClient _client = new();
    private ConfigurationManager<OpenIdConnectConfiguration>? _manager;

    public Task InitializeAsync() => _app.InitializeAsync();

    public Task DisposeAsync() => _app.DisposeAsync();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Keys_the_manager_fetched_in_the_background_are_the_ones_used_next_and_a_withdrawn_key_matches_no_more()
    {
        var keys = Keys();
        var first = await keys.RefreshAsync(null, CancellationToken.None);
        var withdrawn = _app.Issuer.SigningKey.Id;
        var published = _app.Issuer.RotateKey(retireOld: true).Id;

        _manager!.RequestRefresh();
        await BackgroundFetchAsync(first!.Configuration);
        var latest = keys.Latest().Keys!;

        Assert.NotNull(latest.Find(published, "RS256"));
        Assert.Null(latest.Find(withdrawn, "RS256"));
    }

    // The domain's keys as the app makes them, with the manager also kept here, so the test can ask it to refresh.
    private DomainSigningKeys Keys()
    {
        var options = _app.Options.Value;
        var domain = options.TenantDomains.Single();
        return new DomainSigningKeys(
            domain,
            AccessTokenParameters.For(domain, options, _app.Clock),
            () => _manager = Auth0FunctionsApplicationBuilderExtensions.ConfigurationManagerFor(domain, options, _client),
            options,
            _app.Clock,
            _app.Telemetry);
    }

    // The manager swaps in what it fetched when the fetch has landed, on a thread of its own: waits for that, not for a time.
    private async Task BackgroundFetchAsync(OpenIdConnectConfiguration before)
    {
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (ReferenceEquals(await _manager!.GetConfigurationAsync(CancellationToken.None), before))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), giveUp.Token);
        }
    }
}
