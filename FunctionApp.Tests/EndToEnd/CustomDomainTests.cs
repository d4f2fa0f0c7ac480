using FunctionApp.TestHost.Hosting;
using FunctionApp.TestHost.Issuer;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// A tenant reached through two domains (two local issuers, each with its own keys) and an API with two
/// identifiers, through the real worker: each token is verified with the keys of the domain its iss names.
/// </summary>
public sealed class CustomDomainTests : IAsyncLifetime, IDisposable
{
    private const string SecondAudience = "https://second.api.test/";

    private readonly CapturedLogs _logs = new();
    private Microsoft.Extensions.Logging.ILoggerFactory? _loggers;
    private LocalIssuer _first = null!;
    private LocalIssuer _second = null!;
    private FunctionsHost _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _first = await LocalIssuer.StartAsync(AppFixture.Audience);
        _second = await LocalIssuer.StartAsync(SecondAudience);
    }

    public void Dispose() => _client?.Dispose();

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        await _first.DisposeAsync();
        await _second.DisposeAsync();
        _loggers?.Dispose();
    }

    [Fact]
    public async Task Tokens_of_either_domain_are_accepted()
    {
        await StartWorkerAsync();
        using var first = await GetPrivateAsync(_first.CreateToken());
        using var second = await GetPrivateAsync(_second.CreateToken());

        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal(200, (int)second.StatusCode);
    }

    [Fact]
    public async Task A_token_signed_with_one_domains_key_but_naming_the_other_is_refused()
    {
        await StartWorkerAsync();
        // Both issuers call their first key local-key-1: only the key of the domain the token names may verify it.
        var payload = _second.NewPayload();
        payload["aud"] = AppFixture.Audience;

        using var response = await GetPrivateAsync(_first.Sign(_first.NewHeader(), payload));

        await ResponseAssert.InvalidTokenAsync(response, "Invalid signature");
    }

    [Fact]
    public async Task An_issuer_nobody_configured_is_refused_without_a_single_fetch()
    {
        await StartWorkerAsync();
        // Both domains' keys in hand first, so that no fetch of the start-up is still under way.
        using (var first = await GetPrivateAsync(_first.CreateToken()))
        using (var second = await GetPrivateAsync(_second.CreateToken()))
        {
            Assert.Equal(200, (int)first.StatusCode);
            Assert.Equal(200, (int)second.StatusCode);
        }

        var fetchesBefore = Fetches();
        var payload = _first.NewPayload();
        payload["iss"] = "https://attacker.example/";
        var header = _first.NewHeader();
        header["kid"] = "never-published";

        using var response = await GetPrivateAsync(_first.Sign(header, payload));

        await ResponseAssert.InvalidTokenAsync(response, "Invalid issuer");
        Assert.Equal(fetchesBefore, Fetches());
    }

    [Fact]
    public async Task A_token_for_either_audience_is_accepted_and_for_neither_refused()
    {
        await StartWorkerAsync();
        var second = _first.NewPayload();
        second["aud"] = SecondAudience;
        var neither = _first.NewPayload();
        neither["aud"] = "https://other.test/";

        using var accepted = await GetPrivateAsync(_first.Sign(_first.NewHeader(), second));
        using var refused = await GetPrivateAsync(_first.Sign(_first.NewHeader(), neither));

        Assert.Equal(200, (int)accepted.StatusCode);
        await ResponseAssert.InvalidTokenAsync(refused, "Invalid audience");
    }

    [Fact]
    public async Task One_domain_down_does_not_affect_the_other()
    {
        await StartWorkerAsync(secondAtStart: IssuerMode.Down);

        using var first = await GetPrivateAsync(_first.CreateToken());
        using var second = await GetPrivateAsync(_second.CreateToken());

        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal(503, (int)second.StatusCode);
    }

    [Fact]
    public async Task A_discovery_document_that_names_another_issuer_brings_no_keys()
    {
        _second.DiscoveryIssuer = _first.Issuer;
        await StartWorkerAsync();

        using var first = await GetPrivateAsync(_first.CreateToken());
        using var second = await GetPrivateAsync(_second.CreateToken());

        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal(503, (int)second.StatusCode);
    }

    [Fact]
    public async Task The_API_docs_name_both_audiences_and_both_issuers()
    {
        await StartWorkerAsync();

        var document = await _client.GetStringAsync("api/openapi.json");

        Assert.All(
            [AppFixture.Audience, SecondAudience, _first.Issuer, _second.Issuer],
            expected => Assert.Contains(expected, document, StringComparison.Ordinal));
    }

    private int Fetches() => _first.MetadataRequests + _first.JwksRequests + _second.MetadataRequests + _second.JwksRequests;

    // The worker serves both issuers' domains (Auth0__Domain) and both audiences (Auth0__ApiAudience).
    private async Task StartWorkerAsync(IssuerMode secondAtStart = IssuerMode.Up)
    {
        _second.Mode = secondAtStart;
        _loggers = _logs.CreateFactory();
        var settings = _first.AppSettings();
        settings["Auth0__Domain"] = _first.Authority.AbsoluteUri + "," + _second.Authority.AbsoluteUri;
        settings["Auth0__ApiAudience"] = AppFixture.Audience + "," + SecondAudience;
        _host = await FunctionsHost.StartAsync(
            new FunctionsHostOptions { AppDirectory = FunctionsHostOptions.DefaultAppDirectory, Settings = settings }, _loggers);
        _client = new HttpClient { BaseAddress = _host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    private Task<HttpResponseMessage> GetPrivateAsync(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "api/private");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        return _client.SendAsync(request);
    }
}
