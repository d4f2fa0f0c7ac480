using FunctionApp.TestHost.Hosting;
using FunctionApp.TestHost.Rpc;

namespace FunctionApp.Tests.TestHost;

public sealed class FunctionRouteTests
{
    private static FunctionRoute Route(string rawTrigger) =>
        FunctionRoute.From(
            new RpcFunctionMetadata { Name = "items", FunctionId = "42", RawBindings = { rawTrigger, """{"name":"$return","type":"http","direction":"Out"}""" } },
            "api")!;

    [Theory]
    [InlineData("GET", "/api/items")]
    [InlineData("GET", "/API/ITEMS")]
    [InlineData("GET", "/api/items/")]
    [InlineData("get", "/api/items")]
    public void Matches_case_insensitively_with_an_optional_trailing_slash(string method, string path)
    {
        var route = Route("""{"name":"req","type":"httpTrigger","direction":"In","methods":["get"],"route":"items"}""");

        Assert.True(route.TryMatch(method, path, out _));
        Assert.Equal("req", route.TriggerName);
        Assert.Equal("42", route.FunctionId);
    }

    [Theory]
    [InlineData("POST", "/api/items")]
    [InlineData("HEAD", "/api/items")]
    [InlineData("GET", "/items")]
    [InlineData("GET", "/api/items/1")]
    public void Does_not_match_another_method_or_path(string method, string path)
    {
        var route = Route("""{"name":"req","type":"httpTrigger","direction":"In","methods":["get"],"route":"items"}""");

        Assert.False(route.TryMatch(method, path, out _));
    }

    [Fact]
    public void Route_defaults_to_the_function_name_and_any_method()
    {
        var route = Route("""{"name":"req","type":"httpTrigger","direction":"In"}""");

        Assert.Equal("api/items", route.Template);
        Assert.True(route.TryMatch("DELETE", "/api/items", out _));
    }

    [Fact]
    public void Route_parameters_are_captured_unescaped()
    {
        var route = Route("""{"name":"req","type":"httpTrigger","direction":"In","route":"items/{id}"}""");

        Assert.True(route.TryMatch("GET", "/api/items/a%20b", out var values));
        Assert.Equal("a b", values["id"]);
    }

    [Fact]
    public void A_function_without_an_http_trigger_has_no_route()
    {
        var metadata = new RpcFunctionMetadata { Name = "timer", RawBindings = { """{"name":"t","type":"timerTrigger","direction":"In"}""" } };

        Assert.Null(FunctionRoute.From(metadata, "api"));
    }
}
