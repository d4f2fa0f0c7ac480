using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>Every case of the hostile-input catalogue, through the real worker: the documented answer, and nothing echoed.</summary>
public sealed class HostileInputTests(AppFixture app) : IClassFixture<AppFixture>
{
    public static TheoryData<string> Cases => new(HostileInputs.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Private_answers_hostile_input_as_documented(string name)
    {
        var hostile = HostileInputs.All.Single(c => c.Name == name);
        var authorization = hostile.Authorization(app.Issuer);
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/private");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await app.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(hostile.Status, (int)response.StatusCode);
        switch (hostile.Status)
        {
            case 403:
                await ResponseAssert.JsonAsync(response, 403, $$"""{"detail":"{{hostile.Reason}}"}""");
                Assert.Equal(["Bearer", ResponseAssert.DPoPChallenge], ResponseAssert.Challenges(response));
                break;
            case 400:
                await ResponseAssert.InvalidTokenAsync(response, hostile.Reason);
                break;
            default:
                Assert.Contains("\"sub\":", body, StringComparison.Ordinal);
                break;
        }

        foreach (var credential in (authorization ?? []).Where(a => a.Length > 24))
        {
            var secret = credential[^16..];
            Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
            Assert.DoesNotContain(app.Logs.Lines, l => l.Message.Contains(secret, StringComparison.Ordinal));
        }
    }
}
