using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FunctionApp.TestHost.Issuer;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

public sealed class PrivateEndpointTests(AppFixture app) : IClassFixture<AppFixture>
{
    private LocalIssuer Issuer => app.Issuer;

    [Fact]
    public async Task Private_returns_the_token_claims_exactly_as_carried()
    {
        var payload = Issuer.NewPayload();
        payload["permissions"] = new JsonArray("read:messages", "write:messages");
        payload["https://example.com/age"] = 42.5;
        payload["nested"] = new JsonObject { ["flag"] = true, ["none"] = null };

        using var response = await app.GetPrivateWithTokenAsync(Issuer.Sign(Issuer.NewHeader(), payload));

        await ResponseAssert.JsonAsync(response, 200, payload.ToJsonString());
    }

    [Fact]
    public async Task Private_logs_one_line_per_rejection_without_the_token()
    {
        var header = Issuer.NewHeader();
        header["kid"] = "logged-kid";
        var token = Issuer.Sign(header, Issuer.NewPayload());

        using var response = await app.GetPrivateWithTokenAsync(token);

        var line = Assert.Single(app.Logs.Lines, l => l.Message.Contains("logged-kid", StringComparison.Ordinal));
        Assert.Contains("400", line.Message, StringComparison.Ordinal);
        Assert.Contains("No signing key matches the token", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs.Lines, l => l.Message.Contains(token.Split('.')[2], StringComparison.Ordinal));
    }
}
