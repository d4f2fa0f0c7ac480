using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

public sealed class ConcurrencyTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task Many_requests_in_flight_over_the_one_stream_each_get_their_own_answer()
    {
        var tokens = Enumerable.Range(0, 200).Select(i =>
        {
            var payload = app.Issuer.NewPayload();
            payload["sub"] = $"client-{i}@clients";
            return app.Issuer.Sign(app.Issuer.NewHeader(), payload);
        }).ToArray();

        var bodies = await Task.WhenAll(tokens.Select(async token =>
        {
            using var response = await app.GetPrivateWithTokenAsync(token);
            return await response.Content.ReadAsStringAsync();
        }));

        for (var i = 0; i < tokens.Length; i++)
        {
            Assert.Contains($"\"sub\":\"client-{i}@clients\"", bodies[i], StringComparison.Ordinal);
        }
    }
}
