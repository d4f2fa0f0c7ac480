using System.Net;
using System.Text;
using FunctionApp.Auth;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Auth;

/// <summary>The sample's error contract: the status of each error code, and its two bodies.</summary>
public sealed class SampleErrorContractTests
{
    private readonly SampleErrorContract _contract = new();

    [Fact]
    public void Each_error_code_has_the_samples_status()
    {
        var expected = new Dictionary<string, HttpStatusCode>
        {
            ["invalid_request"] = HttpStatusCode.Forbidden,
            ["invalid_token"] = HttpStatusCode.BadRequest,
            ["invalid_dpop_proof"] = HttpStatusCode.BadRequest,
            ["use_dpop_nonce"] = HttpStatusCode.Unauthorized,
            ["insufficient_scope"] = HttpStatusCode.Forbidden,
            ["temporarily_unavailable"] = HttpStatusCode.ServiceUnavailable,
        };

        Assert.Equal(expected, ErrorCodeStatuses.Of(_contract));
    }

    [Fact]
    public void Without_a_usable_credential_the_body_is_a_detail_and_otherwise_a_status_and_msg()
    {
        Assert.All(TokenRejection.All.Append(TokenRejection.RefusedByApp("Refused by the app")), rejection =>
        {
            var (schema, json) = rejection.Error == "invalid_request"
                ? ("DetailMessage", $$"""{"detail":"{{rejection.Reason}}"}""")
                : ("StatusMessage", $$"""{"status":"error","msg":"{{rejection.Reason}}"}""");
            Assert.Equal(schema, _contract.Describe(rejection).SchemaName);
            Assert.Equal(json, Encoding.UTF8.GetString(_contract.Body(rejection).Span));
        });
    }
}
