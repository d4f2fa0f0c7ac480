using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using FunctionApp.Tests.Support;
using FunctionApp.TestHost.Issuer;

namespace FunctionApp.Tests.Publishing;

/// <summary>
/// The README's reuse steps on today's template, through the real worker's own HTTP server (ASP.NET Core
/// integration): the same statuses, bodies and one WWW-Authenticate value as under the gRPC model, and the verified
/// caller in the function.
/// </summary>
[Collection(nameof(BuildOutputTests))]
public sealed class TemplateShapedAppTests(TemplateShapedApp template) : IClassFixture<TemplateShapedApp>, IDisposable
{
    private const string Path = "api/messages";

    private readonly DPoPKey _key = DPoPKey.CreateEs256();

    public void Dispose() => _key.Dispose();

    [Fact]
    public void The_README_names_the_two_settings_the_app_needs()
    {
        Assert.Equal(["Auth0__Domain", "Auth0__ApiAudience"], template.DocumentedSettings);
    }

    [Fact]
    public async Task A_caller_without_a_token_gets_the_same_403_body_and_single_challenge_as_under_the_gRPC_model()
    {
        using var grpc = await template.GrpcModelApp.Client.GetAsync("api/private");

        using var response = await PostAsync(authorization: null);

        await ResponseAssert.JsonAsync(response, 403, await grpc.Content.ReadAsStringAsync());
        Assert.Equal(ChallengeLines(grpc), ChallengeLines(response));
        Assert.Equal(["Bearer," + ResponseAssert.DPoPChallenge], ChallengeLines(response));
    }

    [Fact]
    public async Task A_malformed_token_gets_400_with_the_reason_in_one_challenge()
    {
        using var response = await PostAsync("Bearer not-a-token");

        await ResponseAssert.JsonAsync(response, 400, """{"status":"error","msg":"Malformed token"}""");
        Assert.Equal(["Bearer error=\"invalid_token\", error_description=\"Malformed token\"," + ResponseAssert.DPoPChallenge], ChallengeLines(response));
    }

    [Fact]
    public async Task A_token_without_the_permission_gets_403_naming_the_scope_in_one_challenge()
    {
        using var response = await PostAsync("Bearer " + template.App.CreateTokenGranting("read:messages"));

        await ResponseAssert.JsonAsync(response, 403, """{"status":"error","msg":"Insufficient scope"}""");
        Assert.Equal(["Bearer error=\"insufficient_scope\", scope=\"write:messages\"," + ResponseAssert.DPoPChallenge], ChallengeLines(response));
    }

    [Fact]
    public async Task A_token_with_the_permission_gets_the_functions_IActionResult_with_the_verified_caller()
    {
        using var response = await PostAsync("Bearer " + template.App.CreateTokenGranting("write:messages"));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal($$"""{"from":"{{template.App.Issuer.ClientId}}@clients","message":"hello"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_DPoP_bound_token_with_its_proof_is_accepted_at_the_public_URL()
    {
        var payload = template.App.Issuer.NewPayload();
        payload["scope"] = "write:messages";
        payload["cnf"] = new JsonObject { ["jkt"] = _key.Thumbprint };
        var token = template.App.Issuer.Sign(template.App.Issuer.NewHeader(), payload);

        using var response = await PostAsync("DPoP " + token, _key.CreateProof("POST", template.App.UrlOf(Path), token));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal($$"""{"from":"{{template.App.Issuer.ClientId}}@clients","message":"hello"}""", await response.Content.ReadAsStringAsync());
    }

    private async Task<HttpResponseMessage> PostAsync(string? authorization, string? proof = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new StringContent("hello", Encoding.UTF8, new MediaTypeHeaderValue("text/plain")) };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        if (proof is not null)
        {
            request.Headers.TryAddWithoutValidation("DPoP", proof);
        }

        return await template.App.Client.SendAsync(request);
    }

    // As they arrived, one entry per header line: HttpClient keeps separate lines apart and does not split a line.
    private static string[] ChallengeLines(HttpResponseMessage response) =>
        response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var values) ? [.. values] : [];
}
