using FunctionApp.Auth;
using FunctionApp.Functions;

namespace FunctionApp.Tests.Auth;

public sealed class ProtectedFunctionCatalogTests
{
    private readonly ProtectedFunctionCatalog _catalog = new(typeof(PrivateFunction).Assembly);

    [Fact]
    public void Private_is_protected() => Assert.True(_catalog.IsProtected("private"));

    [Fact]
    public void Public_is_not_protected() => Assert.False(_catalog.IsProtected("public"));

    [Fact]
    public void Unknown_functions_are_not_protected() => Assert.False(_catalog.IsProtected("nope"));
}
