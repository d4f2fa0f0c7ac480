using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>The worker started with <c>Auth0__ErrorContract=Rfc6750</c>.</summary>
public sealed class Rfc6750Fixture : AppFixture
{
    public Rfc6750Fixture() => Configure = settings => settings["Auth0__ErrorContract"] = "Rfc6750";
}

public sealed class Rfc6750ContractTests(Rfc6750Fixture app) : IClassFixture<Rfc6750Fixture>
{
    [Fact]
    public async Task Missing_token_is_401_with_a_bare_challenge()
    {
        using var response = await app.GetPrivateAsync(null);

        await ResponseAssert.JsonAsync(response, 401, """{"error":"invalid_request","error_description":"Not authenticated"}""");
        Assert.Equal(["Bearer", ResponseAssert.DPoPChallenge], ResponseAssert.Challenges(response));
    }

    [Fact]
    public async Task Another_scheme_is_401_with_a_bare_challenge()
    {
        using var response = await app.GetPrivateAsync("Basic dXNlcjpwYXNz");

        await ResponseAssert.JsonAsync(response, 401, """{"error":"invalid_request","error_description":"Invalid authentication credentials"}""");
        Assert.Equal(["Bearer", ResponseAssert.DPoPChallenge], ResponseAssert.Challenges(response));
    }

    [Fact]
    public async Task Invalid_token_is_401_invalid_token()
    {
        var payload = app.Issuer.NewPayload();
        payload["aud"] = "https://other.test/";

        using var response = await app.GetPrivateWithTokenAsync(app.Issuer.Sign(app.Issuer.NewHeader(), payload));

        await ResponseAssert.JsonAsync(response, 401, """{"error":"invalid_token","error_description":"Invalid audience"}""");
        Assert.Equal(["Bearer error=\"invalid_token\", error_description=\"Invalid audience\"", ResponseAssert.DPoPChallenge], ResponseAssert.Challenges(response));
    }

    [Fact]
    public async Task Insufficient_scope_is_403_insufficient_scope()
    {
        using var response = await app.GetPrivateAsync("Bearer " + app.Issuer.CreateToken(), "api/private-scoped");

        await ResponseAssert.JsonAsync(response, 403, """{"error":"insufficient_scope","error_description":"Insufficient scope"}""");
        Assert.Equal(["Bearer error=\"insufficient_scope\", scope=\"read:messages\"", ResponseAssert.DPoPChallenge], ResponseAssert.Challenges(response));
    }

    [Fact]
    public async Task An_invalid_DPoP_proof_is_401_invalid_dpop_proof()
    {
        using var key = FunctionApp.TestHost.Issuer.DPoPKey.CreateEs256();
        var token = app.Issuer.CreateBoundToken(key);

        using var response = await app.GetWithDPoPAsync(token, [key.CreateProof("GET", app.UrlOf("api/private-scoped"), token)]);

        await ResponseAssert.JsonAsync(response, 401, """{"error":"invalid_dpop_proof","error_description":"DPoP proof htu does not match the request URL"}""");
        Assert.Equal(["DPoP error=\"invalid_dpop_proof\", error_description=\"DPoP proof htu does not match the request URL\", algs=\"ES256\"", "Bearer"],
            ResponseAssert.Challenges(response));
    }

    [Fact]
    public async Task A_valid_token_still_gets_the_claims()
    {
        var payload = app.Issuer.NewPayload();

        using var response = await app.GetPrivateWithTokenAsync(app.Issuer.Sign(app.Issuer.NewHeader(), payload));

        await ResponseAssert.JsonAsync(response, 200, payload.ToJsonString());
    }

    [Fact]
    public async Task OpenApi_documents_the_RFC_6750_statuses()
    {
        using var response = await app.Client.GetAsync("api/openapi.json");
        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var statuses = document.RootElement.GetProperty("paths").GetProperty("/api/private-scoped").GetProperty("get")
            .GetProperty("responses").EnumerateObject().Select(r => r.Name);

        Assert.Equal(["200", "401", "403", "503"], statuses);
    }
}
