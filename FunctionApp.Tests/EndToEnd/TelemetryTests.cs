using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// A worker sending its telemetry to an OTLP collector and an Application Insights ingestion endpoint, both in the
/// test, after a mix of accepted and rejected requests.
/// </summary>
public sealed class TelemetryFixture : IAsyncLifetime
{
    private readonly DirectoryInfo _storage = Directory.CreateTempSubdirectory("telemetry-storage-");
    private AppFixture _app = null!;

    public TelemetryReceiver Otlp { get; private set; } = null!;

    public TelemetryReceiver ApplicationInsights { get; private set; } = null!;

    /// <summary>The tokens sent: none of their parts may reach any payload.</summary>
    public IReadOnlyList<string> Tokens { get; private set; } = [];

    /// <summary>The public key the worker fetched: no payload carries key material either.</summary>
    public string Modulus { get; private set; } = string.Empty;

    /// <summary>Where the worker fetched the keys from: this run's issuer, which no other run's telemetry names.</summary>
    public string JwksAddress { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        Otlp = await TelemetryReceiver.StartAsync();
        ApplicationInsights = await TelemetryReceiver.StartAsync();
        _app = await AppFixture.StartAsync(settings =>
        {
            settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = Otlp.BaseAddress.AbsoluteUri.TrimEnd('/');
            settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            // Every trace kept: with Application Insights configured, Azure Monitor's exporter samples traces at 5 per
            // second by default, for every destination, and a start-up's burst would lose some (docs/observability.md).
            settings["OTEL_TRACES_SAMPLER"] = "microsoft.fixed_percentage";
            settings["OTEL_TRACES_SAMPLER_ARG"] = "1.0";
            // Everything is exported once, as the worker stops, and may take its time on a busy machine.
            settings["OTEL_BSP_SCHEDULE_DELAY"] = "600000";
            settings["OTEL_EXPORTER_OTLP_TIMEOUT"] = "120000";
            ApplicationInsightsIngestion.SendTo(settings, ApplicationInsights, _storage);
        },
        terminateGracePeriod: ApplicationInsightsIngestion.StopGracePeriod);

        Modulus = _app.Issuer.SigningKey.ToJwk()["n"];
        JwksAddress = new Uri(_app.Issuer.Authority, ".well-known/jwks.json").AbsoluteUri;
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
        _storage.Delete(recursive: true);
    }
}

/// <summary>What the collectors receive: every metric, span and rejection log line of the run, and never a token.</summary>
public sealed class TelemetryTests(TelemetryFixture sent) : IClassFixture<TelemetryFixture>
{
    public static TheoryData<string> Outcomes { get; } =
        ["accepted", "Token has expired", "No signing key matches the token", "Insufficient scope", "Not authenticated"];

    public static TheoryData<string> KeyFetchCauses { get; } = ["no_keys", "unknown_kid"];

    public static TheoryData<string> Rejections { get; } =
    [
        "Rejected a request to private: 400 Token has expired",
        "Rejected a request to private: 400 No signing key matches the token",
        "Rejected a request to private-scoped: 403 Insufficient scope",
        "Rejected a request to private: 403 Not authenticated",
    ];

    [Theory]
    [InlineData("auth0.access_token.outcomes")]
    [InlineData("auth0.access_token.validation.duration")]
    [InlineData("auth0.signing_keys.refreshes")]
    [InlineData("auth0.verified_tokens.lookups")]
    [InlineData("auth0.verified_tokens.memory.size")]
    public void The_OTLP_collector_receives_the_named_auth_metric(string metric) =>
        Assert.Contains(sent.Otlp.Payloads, x => x.Path == "/v1/metrics" && x.Text.Contains(metric, StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Outcomes))]
    public void The_OTLP_collector_receives_outcomes_by_reason(string outcome) =>
        Assert.Contains(sent.Otlp.Payloads, x => x.Path == "/v1/metrics" && x.Text.Contains(outcome, StringComparison.Ordinal));

    // Only the validation spans carry an outcome among the traces.
    [Theory]
    [MemberData(nameof(Outcomes))]
    public void The_OTLP_collector_receives_the_validation_span_of_each_outcome(string outcome) =>
        Assert.Contains(OtlpTraces, text => text.Contains("auth0.validate_access_token", StringComparison.Ordinal) && text.Contains(outcome, StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(KeyFetchCauses))]
    public void The_OTLP_collector_receives_the_span_of_each_key_fetch(string cause) =>
        Assert.Contains(OtlpTraces, text => text.Contains("auth0.fetch_signing_keys", StringComparison.Ordinal) && text.Contains(cause, StringComparison.Ordinal));

    [Fact]
    public void The_OTLP_collector_receives_the_key_fetch_as_an_HTTP_dependency() =>
        Assert.Contains(OtlpTraces, text => text.Contains(sent.JwksAddress, StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Rejections))]
    public void The_OTLP_collector_receives_the_log_line_of_each_rejection(string line) =>
        Assert.Contains(sent.Otlp.Payloads, x => x.Path == "/v1/logs" && x.Text.Contains(line, StringComparison.Ordinal));

    [Theory]
    [InlineData("auth0.access_token.outcomes")]
    [InlineData("auth0.signing_keys.refreshes")]
    public void Application_Insights_ingestion_receives_the_auth_metrics(string metric) =>
        Assert.Contains(ApplicationInsightsItems, item => item.Contains("\"MetricData\"", StringComparison.Ordinal) && item.Contains(metric, StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Outcomes))]
    public void Application_Insights_ingestion_receives_the_validation_span_of_each_outcome(string outcome) =>
        Assert.Contains(ApplicationInsightsItems, item =>
            item.Contains("\"name\":\"auth0.validate_access_token\"", StringComparison.Ordinal)
            && item.Contains($"\"auth0.outcome\":\"{outcome}\"", StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(KeyFetchCauses))]
    public void Application_Insights_ingestion_receives_the_span_of_each_key_fetch(string cause) =>
        Assert.Contains(ApplicationInsightsItems, item =>
            item.Contains("\"name\":\"auth0.fetch_signing_keys\"", StringComparison.Ordinal)
            && item.Contains($"\"auth0.refresh.cause\":\"{cause}\"", StringComparison.Ordinal));

    [Fact]
    public void Application_Insights_ingestion_receives_the_key_fetch_as_an_HTTP_dependency() =>
        Assert.Contains(ApplicationInsightsItems, item =>
            item.Contains("\"RemoteDependencyData\"", StringComparison.Ordinal) && item.Contains(sent.JwksAddress, StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Rejections))]
    public void Application_Insights_ingestion_receives_the_log_line_of_each_rejection(string line) =>
        Assert.Contains(ApplicationInsightsItems, item => item.Contains("\"MessageData\"", StringComparison.Ordinal) && item.Contains(line, StringComparison.Ordinal));

    [Fact]
    public void No_payload_carries_a_token_a_signature_or_a_key()
    {
        Assert.Contains(sent.Otlp.Payloads, x => x.Path == "/v1/traces");
        Assert.NotEmpty(sent.ApplicationInsights.Payloads);

        var parts = sent.Tokens.SelectMany(t => t.Split('.')).Append(sent.Modulus).Where(part => part.Length >= 32).Select(part => part[..32]).ToArray();
        var payloads = sent.Otlp.Payloads.Concat(sent.ApplicationInsights.Payloads).Select(p => p.Text).ToArray();
        Assert.All(parts, part => Assert.DoesNotContain(payloads, text => text.Contains(part, StringComparison.Ordinal)));
    }

    private IEnumerable<string> OtlpTraces => sent.Otlp.Payloads.Where(x => x.Path == "/v1/traces").Select(x => x.Text);

    private IEnumerable<string> ApplicationInsightsItems => ApplicationInsightsIngestion.Items(sent.ApplicationInsights);
}

/// <summary>
/// A worker that keeps no trace at all (a sampling share of 0) sending to an Application Insights ingestion endpoint in
/// the test, after one rejected request.
/// </summary>
public sealed class UntracedTelemetryFixture : IAsyncLifetime
{
    private readonly DirectoryInfo _storage = Directory.CreateTempSubdirectory("telemetry-storage-");

    public TelemetryReceiver ApplicationInsights { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        ApplicationInsights = await TelemetryReceiver.StartAsync();
        var app = await AppFixture.StartAsync(settings =>
        {
            settings["OTEL_TRACES_SAMPLER"] = "microsoft.fixed_percentage";
            settings["OTEL_TRACES_SAMPLER_ARG"] = "0";
            ApplicationInsightsIngestion.SendTo(settings, ApplicationInsights, _storage);
        },
        terminateGracePeriod: ApplicationInsightsIngestion.StopGracePeriod);

        using var rejected = await app.GetPrivateAsync(null);

        // A worker that stops flushes what it has not exported yet: after this, everything it will send has been sent.
        await app.DisposeAsync();
    }

    public async Task DisposeAsync()
    {
        await ApplicationInsights.DisposeAsync();
        _storage.Delete(recursive: true);
    }
}

/// <summary>What Application Insights receives from a worker that keeps no trace: its log lines all the same.</summary>
public sealed class UntracedTelemetryTests(UntracedTelemetryFixture sent) : IClassFixture<UntracedTelemetryFixture>
{
    [Fact]
    public void Application_Insights_ingestion_receives_the_log_line_of_a_rejection_whose_trace_is_not_kept()
    {
        var items = ApplicationInsightsIngestion.Items(sent.ApplicationInsights).ToArray();
        // Otherwise the line would prove nothing: its trace must really have been left out.
        Assert.DoesNotContain(items, item => item.Contains("\"name\":\"auth0.validate_access_token\"", StringComparison.Ordinal));
        Assert.Contains(items, item =>
            item.Contains("\"MessageData\"", StringComparison.Ordinal)
            && item.Contains("Rejected a request to private: 403 Not authenticated", StringComparison.Ordinal));
    }
}

/// <summary>How a worker under test sends to an Application Insights ingestion endpoint in the test, and what it sent.</summary>
internal static class ApplicationInsightsIngestion
{
    /// <summary>The worker flushes every exporter as it leaves; on a busy machine that may take longer than a host's 5 s.</summary>
    public static TimeSpan StopGracePeriod { get; } = TimeSpan.FromSeconds(60);

    public static void SendTo(Dictionary<string, string> settings, TelemetryReceiver ingestion, DirectoryInfo storage)
    {
        // Nothing but the collectors of the test: no Live Metrics and no SDK statistics to Azure's own endpoints.
        settings["AzureMonitor__EnableLiveMetrics"] = "false";
        settings["APPLICATIONINSIGHTS_STATSBEAT_DISABLED"] = "true";
        // The exporter writes what it still holds to offline storage as the worker stops and uploads it from there;
        // a store of this run's own keeps whatever an earlier run left in it from reaching this run's receiver.
        settings["AzureMonitor__StorageDirectory"] = storage.FullName;
        settings["APPLICATIONINSIGHTS_CONNECTION_STRING"] =
            $"InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint={ingestion.BaseAddress.AbsoluteUri}";
    }

    /// <summary>Every telemetry item received: the ingestion takes one JSON item a line.</summary>
    public static IEnumerable<string> Items(TelemetryReceiver ingestion) =>
        ingestion.Payloads.SelectMany(x => x.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
}
