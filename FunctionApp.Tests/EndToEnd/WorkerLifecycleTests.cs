using System.Diagnostics;
using FunctionApp.TestHost.Hosting;
using FunctionApp.TestHost.Issuer;
using FunctionApp.Tests.Support;
using Microsoft.Extensions.Logging;

namespace FunctionApp.Tests.EndToEnd;

public sealed class WorkerLifecycleTests
{
    [Fact]
    public async Task Requests_get_503_once_the_worker_has_died()
    {
        await using var app = await AppFixture.StartAsync();
        app.KillWorker();

        await app.Host.WorkerGone.WaitAsync(TimeSpan.FromSeconds(30));
        using var response = await app.Client.GetAsync("api/public");

        Assert.Equal(503, (int)response.StatusCode);
        Assert.Contains(app.Logs.Lines, l => l.Message.Contains("exited with code", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_request_in_flight_gets_502_when_the_worker_dies()
    {
        await using var app = await AppFixture.StartAsync();
        await app.WarmUpAsync();

        // A token with an unknown kid makes the worker refresh its keys from an issuer that never answers:
            // once the issuer sees that request, the invocation is certainly inside the worker.
        app.Issuer.Mode = IssuerMode.Unresponsive;
        var refreshing = app.Issuer.NextMetadataRequest;
        var inFlight = app.GetPrivateWithTokenAsync(app.Issuer.CreateToken(keyId: "rotated-away"));
        await refreshing.WaitAsync(TimeSpan.FromSeconds(30));

        app.KillWorker();

        using var response = await inFlight;
        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal(0, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Disposing_the_host_stops_the_worker()
    {
        var app = await AppFixture.StartAsync();
        using var worker = Process.GetProcessById(app.Host.WorkerProcessId);

        await app.DisposeAsync();

        Assert.True(worker.HasExited);
    }

    [Theory]
    [InlineData("Auth0__Domain", "", "Auth0__Domain is required")]
    [InlineData("Auth0__ApiAudience", "", "Auth0__ApiAudience is required")]
    [InlineData("Auth0__Domain", "http://tenant.example.com", "Auth0__Domain must be")]
    [InlineData("Auth0__Algorithms", "HS256", "Auth0__Algorithms must list")]
    [InlineData("Auth0__Issuer", "https://a.example/,https://b.example/", "Auth0__Issuer must be empty, or list one absolute URI per entry of Auth0__Domain")]
    [InlineData("Auth0__ApiAudience", "https://api.test/,,https://other.test/", "Auth0__ApiAudience has an empty entry")]
    public async Task Start_up_stops_with_a_message_naming_the_bad_setting(string setting, string value, string message)
    {
        await using var issuer = await LocalIssuer.StartAsync(AppFixture.Audience);
        var settings = AppFixture.Settings(issuer);
        settings[setting] = value;
        var logs = new CapturedLogs();
        using var loggers = logs.CreateFactory();

        await Assert.ThrowsAsync<WorkerGoneException>(() => FunctionsHost.StartAsync(
            new FunctionsHostOptions { AppDirectory = FunctionsHostOptions.DefaultAppDirectory, Settings = settings }, loggers));

        Assert.Contains(logs.Lines, l => l.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bad_setting_is_all_the_worker_writes_as_it_exits_and_the_host_logs_it_as_an_error()
    {
        await using var issuer = await LocalIssuer.StartAsync(AppFixture.Audience);
        var settings = AppFixture.Settings(issuer);
        settings["Auth0__ClockSkewSeconds"] = "9999";
        var logs = new CapturedLogs();
        using var loggers = logs.CreateFactory();
        var appDirectory = FunctionsHostOptions.DefaultAppDirectory;

        // The worker checks its settings before it connects, so nothing needs to listen at the address it is given.
        using var worker = WorkerProcess.Start(
            WorkerConfig.Load(appDirectory), appDirectory, new Uri("http://127.0.0.1:9/"), Guid.NewGuid().ToString(), settings,
            loggers.CreateLogger("Worker"));
        await worker.Exited.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, worker.ExitCode);
        var line = Assert.Single(logs.Lines);
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.Equal("Error: the worker cannot start: Auth0__ClockSkewSeconds must be between 0 and 300.", line.Message);
    }
}
