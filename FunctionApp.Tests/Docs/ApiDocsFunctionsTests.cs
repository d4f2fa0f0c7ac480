using System.Net;
using FunctionApp.Auth;
using FunctionApp.Docs;
using FunctionApp.Functions;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Docs;

/// <summary>The docs functions in this process, given a request whose URL another host could not parse.</summary>
public sealed class ApiDocsFunctionsTests
{
    private readonly ApiDocsFunctions _functions = new(
        new ApiDocs(
            new FunctionCatalog([typeof(ApiFunctions)]),
            BoundOptions.Of(("Auth0__Domain", "tenant.example.com")),
            new SampleErrorContract()),
        new SwaggerUiAssets());

    public static TheoryData<string> Pages => ["openapi", "docs", "docs-asset"];

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task A_docs_request_whose_url_does_not_parse_gets_400(string function)
    {
        var request = new TestFunctionContext(function, authorization: null, unparsableUrl: true).Request;

        var response = (TestResponse)await (function switch
        {
            "openapi" => _functions.OpenApi(request),
            "docs" => _functions.Page(request),
            _ => _functions.Asset(request),
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("""{"detail":"The request URL could not be read"}""", response.BodyText);
        Assert.Equal("application/json; charset=utf-8", response.Header("Content-Type"));
    }
}
