using System.Text.Json;
using FunctionApp.Tests.Support;
using FunctionApp.TestHost.Issuer;

namespace FunctionApp.Tests.Publishing;

/// <summary>
/// The protection in an app under ASP.NET Core integration, through the real worker's own HTTP server: the same
/// statuses, bodies and one WWW-Authenticate value as under the gRPC model, and the verified caller in the function.
/// </summary>
[Collection(nameof(BuildOutputTests))]
public sealed class TemplateShapedAppTests(TemplateShapedApp template) : IClassFixture<TemplateShapedApp>, IDisposable
{
    private readonly DPoPKey _key = DPoPKey.CreateEs256();

    public void Dispose() => _key.Dispose();

    [Fact]
    public async Task A_caller_without_a_token_gets_the_same_403_body_and_single_challenge_as_under_the_gRPC_model()
    {
        using var grpc = await template.GrpcModelApp.Client.GetAsync("api/private");

        using var response = await template.App.Client.GetAsync("api/messages");

        await ResponseAssert.JsonAsync(response, 403, await grpc.Content.ReadAsStringAsync());
        Assert.Equal(ChallengeLines(grpc), ChallengeLines(response));
        Assert.Equal(["Bearer," + ResponseAssert.DPoPChallenge], ChallengeLines(response));
    }

    [Fact]
    public async Task A_malformed_token_gets_400_with_the_reason_in_one_challenge()
    {
        using var response = await template.App.GetPrivateAsync("Bearer not-a-token", "api/messages");

        await ResponseAssert.JsonAsync(response, 400, """{"status":"error","msg":"Malformed token"}""");
        Assert.Equal(["Bearer error=\"invalid_token\", error_description=\"Malformed token\"," + ResponseAssert.DPoPChallenge], ChallengeLines(response));
    }

    [Fact]
    public async Task A_token_without_the_permission_gets_403_naming_the_scope_in_one_challenge()
    {
        using var response = await template.App.GetPrivateAsync("Bearer " + template.App.Issuer.CreateToken(), "api/messages");

        await ResponseAssert.JsonAsync(response, 403, """{"status":"error","msg":"Insufficient scope"}""");
        Assert.Equal(["Bearer error=\"insufficient_scope\", scope=\"read:messages\"," + ResponseAssert.DPoPChallenge], ChallengeLines(response));
    }

    [Fact]
    public async Task A_token_with_the_permission_gets_200()
    {
        using var response = await template.App.GetPrivateAsync("Bearer " + template.App.CreateTokenGranting("read:messages"), "api/messages");

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task The_functions_IActionResult_arrives_as_the_function_wrote_it()
    {
        using var response = await template.App.GetPrivateAsync("Bearer " + template.App.CreateTokenGranting("read:messages"), "api/messages");

        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("""{"messages":["hello","world"]}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_function_reads_the_verified_caller()
    {
        using var response = await template.App.GetPrivateAsync("Bearer " + template.App.Issuer.CreateToken(), "api/me");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(template.App.Issuer.ClientId + "@clients", Subject(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task A_DPoP_bound_token_with_its_proof_is_accepted_at_the_public_URL()
    {
        using var response = await template.App.GetWithDPoPAsync(_key, template.App.Issuer.CreateBoundToken(_key), "api/me");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(template.App.Issuer.ClientId + "@clients", Subject(await response.Content.ReadAsStringAsync()));
    }

    // As they arrived, one entry per header line: HttpClient keeps separate lines apart and does not split a line.
    private static string[] ChallengeLines(HttpResponseMessage response) =>
        response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var values) ? [.. values] : [];

    private static string? Subject(string json)
    {
        using var body = JsonDocument.Parse(json);
        return body.RootElement.GetProperty("subject").GetString();
    }
}
