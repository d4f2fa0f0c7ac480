using System.Collections.Concurrent;
using System.Diagnostics;
using FunctionApp.Auth;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Auth;

/// <summary>The spans the auth code starts, listened to in this process: what they say, and what they never carry.</summary>
public sealed class AccessTokenTelemetryTests : IAsyncLifetime, IDisposable
{
    private readonly InProcessValidator _app = new();
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public AccessTokenTelemetryTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AccessTokenTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public Task InitializeAsync() => _app.InitializeAsync();

    public Task DisposeAsync() => _app.DisposeAsync();

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task A_key_fetch_is_a_span_naming_its_cause_result_and_issuer()
    {
        await _app.ValidateAsync(_app.Issuer.CreateToken());

        await _app.ValidateAsync(_app.Issuer.CreateToken(keyId: "needs-a-refresh"));

        // The listener hears every test in this process: only this issuer's fetches are this test's.
        var fetches = _stopped
            .Where(a => a.OperationName == "auth0.fetch_signing_keys" && (string?)a.GetTagItem("auth0.issuer") == _app.Issuer.Issuer)
            .ToArray();
        Assert.Contains(fetches, a => (string?)a.GetTagItem("auth0.refresh.cause") == "no_keys" && (string?)a.GetTagItem("auth0.refresh.result") == "new_keys");
        Assert.Contains(fetches, a => (string?)a.GetTagItem("auth0.refresh.cause") == "unknown_kid" && (string?)a.GetTagItem("auth0.refresh.result") == "same_keys");
    }

    [Fact]
    public async Task No_span_carries_any_part_of_a_token()
    {
        var token = _app.Issuer.CreateToken();
        var unknown = _app.Issuer.CreateToken(keyId: "needs-a-refresh");

        await _app.ValidateAsync(token);
        await _app.ValidateAsync(unknown);

        var parts = new[] { token, unknown }.SelectMany(t => t.Split('.')).Where(p => p.Length >= 32).Select(p => p[..32]).ToArray();
        var tags = _stopped.SelectMany(a => a.TagObjects).Select(t => t.Value?.ToString() ?? string.Empty).ToArray();
        Assert.NotEmpty(tags);
        Assert.All(parts, part => Assert.DoesNotContain(tags, tag => tag.Contains(part, StringComparison.Ordinal)));
    }
}
