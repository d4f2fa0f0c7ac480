using FunctionApp.Docs;
using FunctionApp.Functions;

namespace FunctionApp.Tests.Docs;

/// <summary>What the API docs read from the functions' declarations.</summary>
public sealed class FunctionCatalogTests
{
    private readonly FunctionCatalog _catalog = new([typeof(ApiFunctions), typeof(ApiDocsFunctions)]);

    [Fact]
    public void Public_is_a_documented_get_with_its_summary_and_no_permissions()
    {
        var endpoint = Assert.Single(_catalog.Endpoints, e => e.Name == "public");

        Assert.Equal("public", endpoint.Route);
        Assert.Equal(["get"], endpoint.Methods);
        Assert.Equal("Answers anyone", endpoint.Summary);
        Assert.Null(endpoint.Permissions);
        Assert.True(endpoint.Documented);
    }

    [Fact]
    public void Private_scoped_names_the_permission_it_requires()
    {
        var endpoint = Assert.Single(_catalog.Endpoints, e => e.Name == "private-scoped");

        Assert.Equal(["read:messages"], endpoint.Permissions);
    }

    [Fact]
    public void The_docs_functions_are_not_documented()
    {
        var docs = _catalog.Endpoints.Where(e => e.Name is "openapi" or "docs" or "docs-asset").ToArray();

        Assert.Equal(3, docs.Length);
        Assert.All(docs, e => Assert.False(e.Documented));
    }

    [Fact]
    public void A_trigger_that_names_no_methods_is_documented_for_every_method_as_the_host_accepts_them()
    {
        var endpoint = Assert.Single(new FunctionCatalog([typeof(AnyMethodFunction)]).Endpoints);

        Assert.Equal(["get", "put", "post", "delete", "options", "head", "patch", "trace"], endpoint.Methods);
    }

    private static class AnyMethodFunction
    {
        [Microsoft.Azure.Functions.Worker.Function("any")]
        public static void Run([Microsoft.Azure.Functions.Worker.HttpTrigger] object request) => GC.KeepAlive(request);
    }
}
