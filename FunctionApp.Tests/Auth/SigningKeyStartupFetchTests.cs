using FunctionApp.Auth;
using FunctionApp.Tests.Support;
using FunctionApp.TestHost.Issuer;
using Microsoft.Extensions.Logging;

namespace FunctionApp.Tests.Auth;

/// <summary>The fetch of the signing keys as the worker starts, against a real local issuer: what it reports.</summary>
public sealed class SigningKeyStartupFetchTests : IAsyncLifetime
{
    private readonly InProcessValidator _app = new();
    private readonly CapturedLogs _logs = new();

    public Task InitializeAsync() => _app.InitializeAsync();

    public Task DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task Keys_fetched_at_start_up_are_reported_ready_for_their_issuer()
    {
        await FetchAtStartUpAsync();

        var line = Assert.Single(_logs.Lines, l => l.Category == typeof(SigningKeyStartupFetch).FullName);
        Assert.Equal((LogLevel.Information, $"Signing keys are fetched for {_app.Issuer.Issuer}."), (line.Level, line.Message));
    }

    [Fact]
    public async Task Keys_that_cannot_be_fetched_at_start_up_are_reported_and_the_start_goes_on()
    {
        _app.Issuer.Mode = IssuerMode.Down;

        await FetchAtStartUpAsync();

        var line = Assert.Single(_logs.Lines, l => l.Category == typeof(SigningKeyStartupFetch).FullName);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.StartsWith($"Could not fetch signing keys from {_app.Keys.Domain.MetadataAddress} at start-up", line.Message, StringComparison.Ordinal);
    }

    private async Task FetchAtStartUpAsync()
    {
        using var loggers = _logs.CreateFactory();
        using var fetch = new SigningKeyStartupFetch([_app.Keys], loggers.CreateLogger<SigningKeyStartupFetch>());

        await fetch.StartAsync(CancellationToken.None);
        await fetch.ExecuteTask!;
    }
}
