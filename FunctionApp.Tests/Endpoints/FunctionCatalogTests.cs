using FunctionApp.Endpoints;
using FunctionApp.Functions;

namespace FunctionApp.Tests.Endpoints;

public sealed class FunctionCatalogTests
{
    private readonly FunctionCatalog _catalog = new(typeof(PrivateFunction).Assembly, "api");

    [Fact]
    public void Private_requires_a_token_and_no_permission()
    {
        Assert.True(_catalog.TryGetRequirement("private", out var requirement));
        Assert.Empty(requirement.Permissions);
    }

    [Fact]
    public void Private_scoped_requires_read_messages()
    {
        Assert.True(_catalog.TryGetRequirement("private-scoped", out var requirement));
        Assert.Equal(["read:messages"], requirement.Permissions);
        Assert.Equal("read:messages", requirement.Scope);
    }

    [Fact]
    public void Public_requires_nothing() => Assert.False(_catalog.TryGetRequirement("public", out _));

    [Fact]
    public void Unknown_functions_require_nothing() => Assert.False(_catalog.TryGetRequirement("nope", out _));

    [Fact]
    public void Endpoints_carry_the_route_prefix_methods_and_summary()
    {
        var endpoint = Assert.Single(_catalog.Endpoints, e => e.Name == "public");

        Assert.Equal("/api/public", endpoint.Path);
        Assert.Equal(["get"], endpoint.Methods);
        Assert.Equal("Answers anyone", endpoint.Summary);
        Assert.True(endpoint.Documented);
    }

    [Fact]
    public void The_docs_functions_are_not_documented()
    {
        Assert.All(
            _catalog.Endpoints.Where(e => e.Name is "openapi" or "docs" or "docs-asset"),
            e => Assert.False(e.Documented));
    }

    [Fact]
    public void An_empty_route_prefix_gives_root_paths() =>
        Assert.Contains(new FunctionCatalog(typeof(PrivateFunction).Assembly, "").Endpoints, e => e.Path == "/public");
}
