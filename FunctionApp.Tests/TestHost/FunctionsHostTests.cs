using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.TestHost;

/// <summary>What the TestHost's own HTTP server refuses before any invocation, as the genuine host's Kestrel does.</summary>
public sealed class FunctionsHostTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task Headers_beyond_32_KB_are_refused_with_431_and_no_body_before_any_invocation()
    {
        using var response = await app.GetPrivateAsync("Bearer " + new string('a', 100 * 1024));

        Assert.Equal(431, (int)response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.DoesNotContain(app.Logs.Lines, l => l.Message.Contains("Executing 'Functions.private'", StringComparison.Ordinal)
            || l.Message.Contains("Rejected a request", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_route_gets_404_with_no_body()
    {
        using var response = await app.Client.GetAsync("api/nothing-here");

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }
}
