using System.Net;
using System.Text;
using FunctionApp.Auth;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Auth;

/// <summary>RFC 6750's error contract: the status of each error code, and its one body.</summary>
public sealed class Rfc6750ErrorContractTests
{
    private readonly Rfc6750ErrorContract _contract = new();

    [Fact]
    public void Each_error_code_has_its_RFC_status()
    {
        var expected = new Dictionary<string, HttpStatusCode>
        {
            ["invalid_request"] = HttpStatusCode.Unauthorized,
            ["invalid_token"] = HttpStatusCode.Unauthorized,
            ["invalid_dpop_proof"] = HttpStatusCode.Unauthorized,
            ["use_dpop_nonce"] = HttpStatusCode.Unauthorized,
            ["insufficient_scope"] = HttpStatusCode.Forbidden,
            ["temporarily_unavailable"] = HttpStatusCode.ServiceUnavailable,
        };

        Assert.Equal(expected, ErrorCodeStatuses.Of(_contract));
    }

    [Fact]
    public void Every_body_is_the_error_code_and_its_description()
    {
        Assert.All(TokenRejection.All.Append(TokenRejection.RefusedByApp("Refused by the app")), rejection =>
        {
            Assert.Equal("OAuthError", _contract.Describe(rejection).SchemaName);
            Assert.Equal(
                $$"""{"error":"{{rejection.Error}}","error_description":"{{rejection.Reason}}"}""",
                Encoding.UTF8.GetString(_contract.Body(rejection).Span));
        });
    }
}
