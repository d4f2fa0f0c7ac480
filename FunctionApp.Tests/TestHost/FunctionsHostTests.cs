using System.Net.Sockets;
using System.Text;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.TestHost;

/// <summary>What the TestHost refuses before any invocation, as the genuine host does.</summary>
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

    /// <summary>
    /// The genuine host (built from its public source) answers these with a bare 500 before the worker is called, for
    /// every function: its HTTP trigger builds the request's URL from the Host header, and that fails.
    /// </summary>
    [Theory]
    [InlineData("GET /api/public HTTP/1.1\r\nHost: 127.0.0.1:99999\r\nConnection: close\r\n\r\n")]
    [InlineData("GET /api/private HTTP/1.1\r\nHost: 127.0.0.1:99999\r\nConnection: close\r\n\r\n")]
    [InlineData("GET /api/docs HTTP/1.0\r\nHost:\r\n\r\n")]
    public async Task A_request_whose_url_does_not_parse_gets_500_with_no_body_before_any_invocation(string request)
    {
        var response = await SendRawAsync(request);

        Assert.Matches("^HTTP/1\\.1 500 ", response);
        Assert.Contains("Content-Length: 0\r\n", response, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", response, StringComparison.Ordinal);
        Assert.Contains(app.Logs.Lines, l => l.Message.Contains("has a URL that does not parse", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Lines, l => l.Message.Contains("UriFormatException", StringComparison.Ordinal));
    }

    // Bytes exactly as written: HttpClient would refuse to send such a Host header.
    private async Task<string> SendRawAsync(string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(app.Host.BaseAddress.Host, app.Host.BaseAddress.Port);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }
}
