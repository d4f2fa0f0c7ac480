using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

public sealed class PublicEndpointTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task Public_returns_200_with_the_sample_greeting()
    {
        using var response = await app.Client.GetAsync("api/public");

        await ResponseAssert.JsonAsync(
            response, 200, """{"status":"success","msg":"Hello from a public endpoint! You don't need to be authenticated to see this."}""");
    }

    [Fact]
    public async Task Public_ignores_a_bad_token()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/public");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer not-a-token");

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Public_does_not_answer_POST()
    {
        using var response = await app.Client.PostAsync("api/public", null);

        Assert.Equal(404, (int)response.StatusCode);
    }
}
