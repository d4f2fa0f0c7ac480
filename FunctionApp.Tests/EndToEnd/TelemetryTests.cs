using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// A worker sending its telemetry to an OTLP collector and an Application Insights ingestion endpoint, both in the
/// test, after a mix of accepted and rejected requests.
/// </summary>
public sealed class TelemetryFixture : IAsyncLifetime
{
    private AppFixture _app = null!;

    public TelemetryReceiver Otlp { get; private set; } = null!;

    public TelemetryReceiver ApplicationInsights { get; private set; } = null!;

    /// <summary>The tokens sent: none of their parts may reach any payload.</summary>
    public IReadOnlyList<string> Tokens { get; private set; } = [];

    /// <summary>The public key the worker fetched: no payload carries key material either.</summary>
    public string Modulus { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        Otlp = await TelemetryReceiver.StartAsync();
        ApplicationInsights = await TelemetryReceiver.StartAsync();
        _app = await AppFixture.StartAsync(settings =>
        {
            settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = Otlp.BaseAddress.AbsoluteUri.TrimEnd('/');
            settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            // Every trace kept: with Application Insights configured, Azure Monitor's exporter samples traces at 5 per
            // second by default, for every destination, and a start-up's burst would lose some (README, Observability).
            settings["OTEL_TRACES_SAMPLER"] = "microsoft.fixed_percentage";
            settings["OTEL_TRACES_SAMPLER_ARG"] = "1.0";
            // Nothing but the collectors of the test: no Live Metrics and no SDK statistics to Azure's own endpoints.
            settings["AzureMonitor__EnableLiveMetrics"] = "false";
            settings["APPLICATIONINSIGHTS_STATSBEAT_DISABLED"] = "true";
            // Everything is exported once, as the worker stops, and may take its time on a busy machine.
            settings["OTEL_BSP_SCHEDULE_DELAY"] = "600000";
            settings["OTEL_EXPORTER_OTLP_TIMEOUT"] = "120000";
            settings["APPLICATIONINSIGHTS_CONNECTION_STRING"] =
                $"InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint={ApplicationInsights.BaseAddress.AbsoluteUri}";
        },
        // The worker flushes every exporter as it leaves; on a busy machine that may take longer than a host's 5 s.
        terminateGracePeriod: TimeSpan.FromSeconds(60));

        Modulus = _app.Issuer.SigningKey.ToJwk()["n"];
        var expired = _app.Issuer.NewPayload();
        expired["exp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600;
        Tokens = [_app.Issuer.CreateToken(), _app.Issuer.Sign(_app.Issuer.NewHeader(), expired), _app.Issuer.CreateToken(keyId: "unpublished")];
        foreach (var token in Tokens)
        {
            using var response = await _app.GetPrivateWithTokenAsync(token);
        }

        using var scoped = await _app.GetPrivateAsync("Bearer " + Tokens[0], "api/private-scoped");
        using var anonymous = await _app.GetPrivateAsync(null);

        // A worker that stops flushes what it has not exported yet: after this, everything it will send has been sent.
        await _app.DisposeAsync();
    }

    public async Task DisposeAsync()
    {
        await Otlp.DisposeAsync();
        await ApplicationInsights.DisposeAsync();
    }
}

/// <summary>What the collectors receive: the auth metrics and traces, and never a token.</summary>
public sealed class TelemetryTests(TelemetryFixture sent) : IClassFixture<TelemetryFixture>
{
    [Theory]
    [InlineData("auth0.access_token.outcomes")]
    [InlineData("auth0.access_token.validation.duration")]
    [InlineData("auth0.signing_keys.refreshes")]
    [InlineData("auth0.verified_tokens.lookups")]
    [InlineData("auth0.verified_tokens.memory.size")]
    public void The_OTLP_collector_receives_the_named_auth_metric(string metric) =>
        Assert.Contains(sent.Otlp.Payloads, x => x.Path == "/v1/metrics" && x.Text.Contains(metric, StringComparison.Ordinal));

    [Theory]
    [InlineData("accepted")]
    [InlineData("Token has expired")]
    [InlineData("No signing key matches the token")]
    [InlineData("Insufficient scope")]
    [InlineData("Not authenticated")]
    public void The_OTLP_collector_receives_outcomes_by_reason(string outcome) =>
        Assert.Contains(sent.Otlp.Payloads, x => x.Path == "/v1/metrics" && x.Text.Contains(outcome, StringComparison.Ordinal));

    [Fact]
    public void The_OTLP_collector_receives_the_validation_traces() =>
        Assert.Contains(sent.Otlp.Payloads, x => x.Path == "/v1/traces" && x.Text.Contains("auth0.validate_access_token", StringComparison.Ordinal));

    [Fact]
    public void The_OTLP_collector_receives_the_worker_s_log_of_a_rejection() =>
        Assert.Contains(sent.Otlp.Payloads, x => x.Path == "/v1/logs" && x.Text.Contains("Rejected a request to {Function}", StringComparison.Ordinal));

    [Theory]
    [InlineData("auth0.access_token.outcomes")]
    [InlineData("auth0.validate_access_token")]
    public void Application_Insights_ingestion_receives_the_auth_metrics_and_traces(string name) =>
        Assert.Contains(sent.ApplicationInsights.Payloads, x => x.Text.Contains(name, StringComparison.Ordinal));

    [Fact]
    public void No_payload_carries_a_token_a_signature_or_a_key()
    {
        Assert.Contains(sent.Otlp.Payloads, x => x.Path == "/v1/traces");
        Assert.NotEmpty(sent.ApplicationInsights.Payloads);

        var parts = sent.Tokens.SelectMany(t => t.Split('.')).Append(sent.Modulus).Where(part => part.Length >= 32).Select(part => part[..32]).ToArray();
        var payloads = sent.Otlp.Payloads.Concat(sent.ApplicationInsights.Payloads).Select(p => p.Text).ToArray();
        Assert.All(parts, part => Assert.DoesNotContain(payloads, text => text.Contains(part, StringComparison.Ordinal)));
    }
}
