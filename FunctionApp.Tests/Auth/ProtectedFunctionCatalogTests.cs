using FunctionApp.Auth;
using FunctionApp.Functions;

namespace FunctionApp.Tests.Auth;

public sealed class ProtectedFunctionCatalogTests
{
    private readonly ProtectedFunctionCatalog _catalog = new(typeof(PrivateFunction).Assembly);

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
}
