using System.Text.Json.Nodes;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

public sealed class PermissionTests(AppFixture app) : IClassFixture<AppFixture>
{
    private const string Scoped = "api/private-scoped";

    private Task<HttpResponseMessage> GetScopedAsync(Action<JsonObject> change)
    {
        var payload = app.Issuer.NewPayload();
        change(payload);
        return app.GetPrivateAsync("Bearer " + app.Issuer.Sign(app.Issuer.NewHeader(), payload), Scoped);
    }

    [Fact]
    public async Task Private_scoped_accepts_the_permission_in_the_scope_claim()
    {
        using var response = await GetScopedAsync(p => p["scope"] = "openid read:messages profile");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("\"scope\":\"openid read:messages profile\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Private_scoped_accepts_the_permission_in_the_permissions_array()
    {
        using var response = await GetScopedAsync(p => p["permissions"] = new JsonArray("write:messages", "read:messages"));

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("read")]
    [InlineData("read:messages2 write:messages")]
    [InlineData("READ:MESSAGES")]
    public async Task Private_scoped_returns_403_insufficient_scope_without_the_exact_permission(string scope)
    {
        using var response = await GetScopedAsync(p => p["scope"] = scope);

        await ResponseAssert.JsonAsync(response, 403, """{"status":"error","msg":"Insufficient scope"}""");
        Assert.Equal(["Bearer error=\"insufficient_scope\", scope=\"read:messages\"", ResponseAssert.DPoPChallenge], ResponseAssert.Challenges(response));
    }

    [Fact]
    public async Task Private_scoped_ignores_a_permission_that_is_not_a_string()
    {
        using var response = await GetScopedAsync(p => p["permissions"] = new JsonArray(new JsonArray("read:messages")));

        Assert.Equal(403, (int)response.StatusCode);
    }

    [Fact]
    public async Task Private_scoped_verifies_the_token_before_looking_at_permissions()
    {
        using var response = await GetScopedAsync(p =>
        {
            p["scope"] = "read:messages";
            p["exp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600;
        });

        await ResponseAssert.InvalidTokenAsync(response, "Token has expired");
    }

    [Fact]
    public async Task Private_needs_no_permission()
    {
        using var response = await app.GetPrivateWithTokenAsync(app.Issuer.CreateToken());

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Private_scoped_refuses_a_payload_of_two_objects_as_malformed()
    {
        var payload = app.Issuer.NewPayload().ToJsonString() + """{"scope":"read:messages"}""";

        using var response = await app.GetPrivateAsync("Bearer " + app.Issuer.SignText(app.Issuer.NewHeader().ToJsonString(), payload), Scoped);

        await ResponseAssert.InvalidTokenAsync(response, "Malformed token");
    }

    [Fact]
    public async Task Private_scoped_insufficient_scope_is_not_for_shared_caches_or_sniffing()
    {
        using var response = await GetScopedAsync(p => p["scope"] = "read");

        Assert.Equal(403, (int)response.StatusCode);
        ResponseAssert.KeptPrivate(response);
    }
}
