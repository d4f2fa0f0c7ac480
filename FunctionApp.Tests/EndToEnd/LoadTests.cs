using FunctionApp.TestHost.Load;
using FunctionApp.Tests.Support;
using Xunit.Abstractions;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>Bounded by request count, never by time. The figures they print are in docs/security.md.</summary>
[Trait("Category", "Load")]
public sealed class LoadTests(ITestOutputHelper output)
{
    private const int Clients = 64;
    private const int ValidRequests = 10_000;
    private const int InvalidRequests = 10_000;

    [Fact]
    public async Task Valid_and_invalid_tokens_interleaved_get_only_right_answers_and_one_fetch_each()
    {
        await using var app = await AppFixture.StartAsync();
        var valid = Enumerable.Range(0, 16).Select(_ => "Bearer " + app.Issuer.CreateToken()).ToArray();
        var invalid = InvalidTokens(app);

        var result = await LoadDriver.RunAsync(app.Client, ValidRequests + InvalidRequests, Clients, i => i % 2 == 0
            ? new LoadRequest("api/private", valid[i / 2 % valid.Length], 200, "\"gty\":\"client-credentials\"")
            : new LoadRequest("api/private", invalid[i / 2 % invalid.Length], 400, "\"status\":\"error\""));
        output.WriteLine($"{result.Requests} requests, {Clients} clients: {result.RequestsPerSecond:F0}/s, p50 {result.Percentile(0.5).TotalMilliseconds:F2} ms, p99 {result.Percentile(0.99).TotalMilliseconds:F2} ms");

        Assert.Equal(ValidRequests + InvalidRequests, result.Requests);
        Assert.Equal(0, result.ServerErrors);
        Assert.Equal(0, result.WrongAnswers);
        Assert.Equal(1, app.Issuer.MetadataRequests);
        Assert.Equal(1, app.Issuer.JwksRequests);
        foreach (var signature in valid.Concat(invalid).Select(t => t[(t.LastIndexOf('.') + 1)..]).Where(s => s.Length >= 32))
        {
            Assert.DoesNotContain(app.Logs.Lines, l => l.Message.Contains(signature, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_thousand_concurrent_first_requests_on_a_cold_worker_cause_one_fetch_each()
    {
        await using var app = await AppFixture.StartAsync();
        var token = "Bearer " + app.Issuer.CreateToken();

        var result = await LoadDriver.RunAsync(app.Client, 1000, 1000, _ => new LoadRequest("api/private", token, 200, "\"sub\""));

        Assert.Equal(0, result.WrongAnswers);
        Assert.Equal(1, app.Issuer.MetadataRequests);
        Assert.Equal(1, app.Issuer.JwksRequests);
    }

    private static string[] InvalidTokens(AppFixture app)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var expired = app.Issuer.NewPayload();
        expired["exp"] = now - 3600;
        var wrongAudience = app.Issuer.NewPayload();
        wrongAudience["aud"] = "https://other.test/";
        var good = app.Issuer.CreateToken();
        return
        [
            "Bearer " + app.Issuer.Sign(app.Issuer.NewHeader(), expired),
            "Bearer " + app.Issuer.Sign(app.Issuer.NewHeader(), wrongAudience),
            "Bearer " + good[..^4] + (good.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA"),
            "Bearer " + good + ".fifth",
        ];
    }
}
