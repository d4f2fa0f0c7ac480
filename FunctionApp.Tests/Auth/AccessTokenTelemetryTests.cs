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
        // Through the middleware, which starts the validation span and tags it with the outcome, kid and issuer.
        var middleware = _app.Middleware();
        var valid = _app.Issuer.CreateToken();
        var tokens = new[]
        {
            valid,
            _app.Issuer.CreateToken(keyId: "needs-a-refresh"),
            valid[..^4] + (valid.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA"),
        };

        foreach (var token in tokens)
        {
            await middleware.Invoke(new TestFunctionContext("private", "Bearer " + token), _ => Task.CompletedTask);
        }

        // The listener hears every test in this process: this test's spans name this issuer.
        var ours = _stopped.Where(a => (string?)a.GetTagItem("auth0.issuer") == _app.Issuer.Issuer).ToArray();
        Assert.Equal(tokens.Length, ours.Count(a => a.OperationName == "auth0.validate_access_token"));
        Assert.Contains(ours, a => a.OperationName == "auth0.fetch_signing_keys");
        var parts = tokens.SelectMany(t => t.Split('.')).Where(p => p.Length >= 32).Select(p => p[..32]).ToArray();
        var tags = _stopped.SelectMany(a => a.TagObjects).Select(t => t.Value?.ToString() ?? string.Empty).ToArray();
        Assert.All(parts, part => Assert.DoesNotContain(tags, tag => tag.Contains(part, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_validation_span_ends_before_the_function_it_lets_through_runs()
    {
        var endedFirst = false;

        await _app.Middleware().Invoke(new TestFunctionContext("private", "Bearer " + _app.Issuer.CreateToken()), _ =>
        {
            endedFirst = _stopped.Any(a => a.OperationName == "auth0.validate_access_token" && (string?)a.GetTagItem("auth0.issuer") == _app.Issuer.Issuer);
            return Task.CompletedTask;
        });

        Assert.True(endedFirst);
    }
}
