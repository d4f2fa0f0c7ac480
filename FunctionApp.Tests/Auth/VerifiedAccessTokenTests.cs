using System.Text;
using System.Text.Json.Nodes;
using FunctionApp.Auth;

namespace FunctionApp.Tests.Auth;

public sealed class VerifiedAccessTokenTests
{
    private static VerifiedAccessToken Token(JsonObject payload) =>
        new(Encoding.UTF8.GetBytes(payload.ToJsonString()), "k", DateTime.UtcNow.AddHours(1));

    [Fact]
    public void User_keeps_claim_types_as_the_token_names_them()
    {
        var token = Token(new JsonObject
        {
            ["sub"] = "client@clients",
            ["https://example.com/email"] = "a@example.com",
            ["permissions"] = new JsonArray("read:messages", "write:messages"),
        });

        var caller = token.ToClaimsPrincipal();

        Assert.Equal("client@clients", caller.Identity!.Name);
        Assert.Equal("a@example.com", caller.FindFirst("https://example.com/email")!.Value);
        Assert.Equal(["read:messages", "write:messages"], caller.FindAll("permissions").Select(c => c.Value));
        Assert.True(caller.IsInRole("write:messages"));
        Assert.True(caller.Identity.IsAuthenticated);
    }

    [Fact]
    public void Grants_reads_the_scope_claim_and_the_permissions_array()
    {
        var token = Token(new JsonObject { ["scope"] = "a b", ["permissions"] = new JsonArray("c") });

        Assert.True(token.Grants("a"));
        Assert.True(token.Grants("b"));
        Assert.True(token.Grants("c"));
        Assert.False(token.Grants("d"));
    }

    [Fact]
    public void A_scope_claim_that_is_not_a_string_grants_nothing()
    {
        var token = Token(new JsonObject { ["scope"] = new JsonArray("read:messages") });

        Assert.False(token.Grants("read:messages"));
    }

    [Fact]
    public void A_permissions_claim_that_is_not_an_array_grants_nothing()
    {
        var token = Token(new JsonObject { ["permissions"] = "read:messages" });

        Assert.False(token.Grants("read:messages"));
    }
}
