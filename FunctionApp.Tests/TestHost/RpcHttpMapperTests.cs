using System.Text;
using FunctionApp.TestHost.Hosting;
using FunctionApp.TestHost.Rpc;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace FunctionApp.Tests.TestHost;

/// <summary>The request and response mapping follows what the genuine Functions host was observed to send.</summary>
public sealed class RpcHttpMapperTests
{
    private static readonly FunctionRoute Echo = FunctionRoute.From(
        new RpcFunctionMetadata
        {
            Name = "echo",
            FunctionId = "7",
            RawBindings = { """{"name":"req","type":"httpTrigger","direction":"In","methods":["get","post"],"route":"echo"}""" },
        },
        "api")!;

    private static DefaultHttpContext Request(string method, string query = "")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("127.0.0.1:7071");
        context.Request.Path = "/api/echo";
        context.Request.QueryString = new QueryString(query);
        return context;
    }

    private static async Task<RpcHttp> MapAsync(HttpContext context)
    {
        var invocation = await RpcHttpMapper.ToInvocationAsync(context, Echo, []);
        var input = Assert.Single(invocation!.InputData);
        Assert.Equal("req", input.Name);
        Assert.Equal("7", invocation.FunctionId);
        return input.Data.Http;
    }

    [Theory]
    [InlineData("127.0.0.1:99999")]
    [InlineData("")]
    public async Task A_request_whose_url_does_not_parse_is_not_turned_into_an_invocation(string host)
    {
        var context = Request("GET");
        context.Request.Host = new HostString(host);

        Assert.Null(await RpcHttpMapper.ToInvocationAsync(context, Echo, []));
    }

    [Fact]
    public async Task Url_carries_the_raw_query_and_nullable_query_the_decoded_values()
    {
        var http = await MapAsync(Request("GET", "?x=1&y=a%20b&x=2&flag"));

        Assert.Equal("http://127.0.0.1:7071/api/echo?x=1&y=a%20b&x=2&flag", http.Url);
        Assert.Equal("1,2", http.NullableQuery["x"].Value);
        Assert.Equal("a b", http.NullableQuery["y"].Value);
        Assert.Equal(string.Empty, http.NullableQuery["flag"].Value);
        Assert.Empty(http.Query);
    }

    [Fact]
    public async Task Headers_are_lowercased_and_repeats_joined_by_a_bare_comma()
    {
        var context = Request("GET");
        context.Request.Headers["Authorization"] = "Bearer abc.def.ghi";
        context.Request.Headers["X-Multi"] = new StringValues(["one", "two"]);
        context.Request.Headers["X-Empty"] = string.Empty;

        var http = await MapAsync(context);

        Assert.Equal("Bearer abc.def.ghi", http.NullableHeaders["authorization"].Value);
        Assert.Equal("one,two", http.NullableHeaders["x-multi"].Value);
        Assert.Equal(string.Empty, http.NullableHeaders["x-empty"].Value);
        Assert.Empty(http.Headers);
    }

    [Fact]
    public async Task A_request_without_content_length_has_no_body_field()
    {
        var http = await MapAsync(Request("GET"));

        Assert.Null(http.Body);
        Assert.Null(http.RawBody);
    }

    [Fact]
    public async Task A_body_with_content_length_is_sent_as_bytes()
    {
        var context = Request("POST");
        context.Request.ContentLength = 7;
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes("""{"a":1}"""));

        var http = await MapAsync(context);

        Assert.Equal("""{"a":1}""", http.Body.Bytes.ToStringUtf8());
    }

    [Fact]
    public async Task The_caller_is_one_anonymous_identity()
    {
        var identity = Assert.Single((await MapAsync(Request("GET"))).Identities);

        Assert.Equal("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", identity.NameClaimType.Value);
        Assert.Equal("http://schemas.microsoft.com/ws/2008/06/identity/claims/role", identity.RoleClaimType.Value);
        Assert.Null(identity.AuthenticationType);
        Assert.Empty(identity.Claims);
    }

    [Fact]
    public async Task A_successful_answer_is_written_with_its_status_headers_and_bytes()
    {
        var context = new DefaultHttpContext { Response = { Body = new MemoryStream() } };
        var answer = new InvocationResponse
        {
            Result = new StatusResult { Status = StatusResult.Types.Status.Success },
            ReturnValue = new TypedData
            {
                Http = new RpcHttp
                {
                    StatusCode = "403",
                    Headers = { ["WWW-Authenticate"] = "Bearer", ["Content-Type"] = "application/json; charset=utf-8" },
                    Body = new TypedData { Bytes = ByteString.CopyFromUtf8("{}") },
                },
            },
        };

        await RpcHttpMapper.WriteAsync(context, answer);

        Assert.Equal(403, context.Response.StatusCode);
        Assert.Equal("Bearer", context.Response.Headers.WWWAuthenticate.ToString());
        Assert.Equal("application/json; charset=utf-8", context.Response.ContentType);
        Assert.Equal("{}", Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()));
    }

    [Fact]
    public async Task A_failed_invocation_is_a_bare_500()
    {
        var context = new DefaultHttpContext { Response = { Body = new MemoryStream() } };
        var answer = new InvocationResponse
        {
            Result = new StatusResult { Status = StatusResult.Types.Status.Failure, Exception = new RpcException { Message = "boom" } },
        };

        await RpcHttpMapper.WriteAsync(context, answer);

        Assert.Equal(500, context.Response.StatusCode);
        Assert.Equal(0, context.Response.ContentLength);
        Assert.Equal(0, context.Response.Body.Length);
    }
}
