using System.Net;
using System.Security.Claims;
using System.Text.Json.Nodes;
using FunctionApp.Auth;
using FunctionApp.Functions;
using FunctionApp.Tests.Support;
using FunctionApp.TestHost.Issuer;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Logging;

namespace FunctionApp.Tests.Auth;

/// <summary>The middleware in this process: whether the function runs, and what the worker is left to send.</summary>
public sealed class AccessTokenMiddlewareTests : IAsyncLifetime
{
    // The URL TestFunctionContext gives a request to the function private.
    private const string PrivateUrl = "http://127.0.0.1/api/private";

    private readonly InProcessValidator _app = new();
    private AccessTokenMiddleware _middleware = null!;

    public async Task InitializeAsync()
    {
        await _app.InitializeAsync();
        _middleware = _app.Middleware();
    }

    public Task DisposeAsync() => _app.DisposeAsync();

    private static Task WithNoncesAsync(Func<InProcessValidator, Task> test) =>
        InProcessValidator.WithAsync(s => s["Auth0__DPoPNonceSecret"] = "a-nonce-secret-of-at-least-32-characters", test);

    // Stands in for the function: answers 200 with the caller's subject, as a protected function would.
    private static async Task RunFunction(FunctionContext context)
    {
        var response = ((TestFunctionContext)context).Request.CreateResponse(HttpStatusCode.OK);
        await response.WriteStringAsync(context.GetVerifiedAccessToken().ToClaimsPrincipal().Identity!.Name!);
        context.GetInvocationResult().Value = response;
    }

    [Fact]
    public async Task A_function_that_is_not_marked_runs_without_a_token()
    {
        var context = new TestFunctionContext("public", authorization: null);
        var ran = false;

        await _middleware.Invoke(context, _ => { ran = true; return Task.CompletedTask; });

        Assert.True(ran);
        Assert.Null(context.Response);
    }

    [Fact]
    public async Task A_function_that_requires_no_token_asking_for_its_caller_is_told_to_mark_it()
    {
        var context = new TestFunctionContext("public", authorization: null);
        InvalidOperationException? error = null;

        await _middleware.Invoke(context, c => { error = Assert.Throws<InvalidOperationException>(c.GetVerifiedAccessToken); return Task.CompletedTask; });

        Assert.Equal("Function 'public' has no verified access token: mark it [RequireAccessToken].", error!.Message);
    }

    [Fact]
    public async Task A_protected_function_runs_with_the_verified_caller_and_its_answer_is_kept_private()
    {
        var context = new TestFunctionContext("private", "Bearer " + _app.Issuer.CreateToken());

        await _middleware.Invoke(context, RunFunction);

        Assert.Equal(HttpStatusCode.OK, context.Response!.StatusCode);
        Assert.Equal(_app.Issuer.ClientId + "@clients", context.Response.BodyText);
        Assert.Equal("no-store", context.Response.Header("Cache-Control"));
        Assert.Equal("nosniff", context.Response.Header("X-Content-Type-Options"));
    }

    [Fact]
    public async Task Without_a_token_the_function_does_not_run_and_the_rejection_is_the_answer()
    {
        var context = new TestFunctionContext("private", authorization: null);
        var ran = false;

        await _middleware.Invoke(context, _ => { ran = true; return Task.CompletedTask; });

        Assert.False(ran);
        Assert.Equal(HttpStatusCode.Forbidden, context.Response!.StatusCode);
        Assert.Equal("""{"detail":"Not authenticated"}""", context.Response.BodyText);
        Assert.Equal("application/json; charset=utf-8", context.Response.Header("Content-Type"));
        Assert.Equal("Bearer, " + ResponseAssert.DPoPChallenge, context.Response.Header("WWW-Authenticate"));
        Assert.Equal("no-store", context.Response.Header("Cache-Control"));
        Assert.Throws<InvalidOperationException>(context.GetVerifiedAccessToken);
    }

    [Fact]
    public async Task A_valid_token_without_the_permission_gets_403_naming_the_scope()
    {
        var context = new TestFunctionContext("private-scoped", "Bearer " + _app.Issuer.CreateToken());
        var ran = false;

        await _middleware.Invoke(context, _ => { ran = true; return Task.CompletedTask; });

        Assert.False(ran);
        Assert.Equal(HttpStatusCode.Forbidden, context.Response!.StatusCode);
        Assert.Equal("""{"status":"error","msg":"Insufficient scope"}""", context.Response.BodyText);
        Assert.Equal("Bearer error=\"insufficient_scope\", scope=\"read:messages\", " + ResponseAssert.DPoPChallenge, context.Response.Header("WWW-Authenticate"));
    }

    [Theory]
    [InlineData("scope", "read:messages")]
    [InlineData("scope", "write:messages")]
    [InlineData("permissions", "read:messages")]
    [InlineData("permissions", "write:messages")]
    public async Task A_function_requiring_two_permissions_refuses_a_token_that_grants_one_of_them(string claim, string granted)
    {
        var payload = _app.Issuer.NewPayload();
        payload[claim] = claim == "scope" ? granted : new JsonArray(granted);
        var context = TwoPermissionsFunction.Invocation("Bearer " + _app.Issuer.Sign(_app.Issuer.NewHeader(), payload));
        var ran = false;

        await _middleware.Invoke(context, _ => { ran = true; return Task.CompletedTask; });

        Assert.False(ran);
        Assert.Equal(HttpStatusCode.Forbidden, context.Response!.StatusCode);
        Assert.Equal(
            "Bearer error=\"insufficient_scope\", scope=\"read:messages write:messages\", " + ResponseAssert.DPoPChallenge,
            context.Response.Header("WWW-Authenticate"));
    }

    [Theory]
    [InlineData("scope")]
    [InlineData("permissions")]
    [InlineData("one in each")]
    public async Task A_function_requiring_two_permissions_runs_for_a_token_that_grants_both(string claims)
    {
        var payload = _app.Issuer.NewPayload();
        switch (claims)
        {
            case "scope": payload["scope"] = "write:messages read:messages"; break;
            case "permissions": payload["permissions"] = new JsonArray("write:messages", "read:messages"); break;
            case "one in each": (payload["scope"], payload["permissions"]) = ("write:messages", new JsonArray("read:messages")); break;
            default: throw new ArgumentOutOfRangeException(nameof(claims));
        }

        var context = TwoPermissionsFunction.Invocation("Bearer " + _app.Issuer.Sign(_app.Issuer.NewHeader(), payload));

        await _middleware.Invoke(context, RunFunction);

        Assert.Equal(HttpStatusCode.OK, context.Response!.StatusCode);
    }

    [Fact]
    public async Task Keys_that_cannot_be_had_give_503_with_Retry_After()
    {
        _app.Issuer.Mode = IssuerMode.Down;
        var context = new TestFunctionContext("private", "Bearer " + _app.Issuer.CreateToken());

        await _middleware.Invoke(context, RunFunction);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, context.Response!.StatusCode);
        Assert.Equal("5", context.Response.Header("Retry-After"));
        Assert.Equal(string.Empty, context.Response.Header("WWW-Authenticate"));
    }

    [Fact]
    public async Task A_function_learns_that_its_caller_proved_the_key_the_token_is_bound_to()
    {
        using var key = DPoPKey.CreateEs256();
        var token = _app.Issuer.CreateBoundToken(key);
        var context = new TestFunctionContext("private", "DPoP " + token, key.CreateProof("GET", PrivateUrl, token));
        VerifiedAccessToken? seen = null;

        await _middleware.Invoke(context, c => { seen = c.GetVerifiedAccessToken(); return Task.CompletedTask; });

        Assert.True(seen!.IsSenderConstrained);
        Assert.Equal(key.Thumbprint, seen.KeyThumbprint);
        Assert.Equal("DPoP", seen.ToClaimsPrincipal().Identity!.AuthenticationType);
    }

    [Fact]
    public async Task A_made_up_nonce_gets_a_401_with_a_nonce_the_app_accepts_on_the_retry()
    {
        await WithNoncesAsync(async app =>
        {
            using var key = DPoPKey.CreateEs256();
            var token = app.Issuer.CreateBoundToken(key);
            var middleware = app.Middleware();
            var challenged = new TestFunctionContext("private", "DPoP " + token, key.CreateProof("GET", PrivateUrl, token, nonce: "made-up"));
            await middleware.Invoke(challenged, RunFunction);
            Assert.Equal(HttpStatusCode.Unauthorized, challenged.Response!.StatusCode);

            var retry = new TestFunctionContext("private", "DPoP " + token, key.CreateProof("GET", PrivateUrl, token, challenged.Response.Header("DPoP-Nonce")));
            await middleware.Invoke(retry, RunFunction);

            Assert.Equal(HttpStatusCode.OK, retry.Response!.StatusCode);
        });
    }

    [Fact]
    public async Task With_nonces_on_the_answer_to_an_accepted_DPoP_request_carries_a_nonce_the_app_accepts()
    {
        await WithNoncesAsync(async app =>
        {
            using var key = DPoPKey.CreateEs256();
            var token = app.Issuer.CreateBoundToken(key);
            var context = new TestFunctionContext("private", "DPoP " + token, key.CreateProof("GET", PrivateUrl, token, app.Nonces.Current()));

            await app.Middleware().Invoke(context, RunFunction);

            Assert.Equal(HttpStatusCode.OK, context.Response!.StatusCode);
            Assert.True(app.Nonces.IsValid(context.Response.Header("DPoP-Nonce"), app.Clock.GetUtcNow()));
        });
    }

    [Fact]
    public async Task With_nonces_on_the_answer_to_a_bearer_request_carries_no_nonce()
    {
        await WithNoncesAsync(async app =>
        {
            var context = new TestFunctionContext("private", "Bearer " + app.Issuer.CreateToken());

            await app.Middleware().Invoke(context, RunFunction);

            Assert.Equal(HttpStatusCode.OK, context.Response!.StatusCode);
            Assert.False(context.Response.Headers.Contains("DPoP-Nonce"));
        });
    }

    [Fact]
    public async Task A_function_reads_its_caller_as_an_invocation_feature_with_one_principal_per_invocation()
    {
        var context = new TestFunctionContext("private", "Bearer " + _app.Issuer.CreateToken());
        IVerifiedAccessTokenFeature? feature = null;
        ClaimsPrincipal? user = null;

        await _middleware.Invoke(context, c =>
        {
            feature = c.Features.Get<IVerifiedAccessTokenFeature>();
            user = c.GetVerifiedUser();
            return Task.CompletedTask;
        });

        Assert.Same(context.GetVerifiedAccessToken(), feature!.Token);
        Assert.Same(feature.User, user);
        Assert.Equal(_app.Issuer.ClientId + "@clients", user!.Identity!.Name);
        Assert.Equal("Bearer", user.Identity.AuthenticationType);
    }

    [Fact]
    public async Task A_refused_caller_leaves_no_verified_user()
    {
        var context = new TestFunctionContext("private", authorization: null);

        await _middleware.Invoke(context, RunFunction);

        Assert.Throws<InvalidOperationException>(context.GetVerifiedUser);
    }

    [Fact]
    public async Task A_function_learns_that_a_bearer_token_is_bound_to_no_key()
    {
        var context = new TestFunctionContext("private", "Bearer " + _app.Issuer.CreateToken());
        VerifiedAccessToken? seen = null;

        await _middleware.Invoke(context, c => { seen = c.GetVerifiedAccessToken(); return Task.CompletedTask; });

        Assert.False(seen!.IsSenderConstrained);
        Assert.Null(seen.KeyThumbprint);
    }

    [Fact]
    public async Task A_function_whose_declaration_cannot_be_read_does_not_run_answers_500_and_is_named_in_the_log()
    {
        var logs = new CapturedLogs();
        using var loggers = logs.CreateFactory();
        var middleware = _app.Middleware(logger: loggers.CreateLogger<AccessTokenMiddleware>());
        var context = new TestFunctionContext("messages", "Bearer " + _app.Issuer.CreateToken(), entryPoint: "Library.Messages.Run", pathToAssembly: "/nowhere/Library.dll");
        var ran = false;

        await middleware.Invoke(context, _ => { ran = true; return Task.CompletedTask; });

        Assert.False(ran);
        Assert.Equal(HttpStatusCode.InternalServerError, context.Response!.StatusCode);
        Assert.Equal("""{"detail":"Internal Server Error"}""", context.Response.BodyText);
        var line = Assert.Single(logs.Lines, l => l.Level == LogLevel.Error);
        Assert.StartsWith("Refused a request to messages: who may call it could not be read", line.Message, StringComparison.Ordinal);
        Assert.Contains("Library.Messages.Run", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_500_of_a_function_whose_declaration_cannot_be_read_is_JSON_and_kept_private()
    {
        var context = new TestFunctionContext("messages", authorization: null, entryPoint: "Library.Messages.Run", pathToAssembly: "/nowhere/Library.dll");

        await _middleware.Invoke(context, RunFunction);

        Assert.Equal(HttpStatusCode.InternalServerError, context.Response!.StatusCode);
        Assert.Equal("application/json; charset=utf-8", context.Response.Header("Content-Type"));
        Assert.Equal("no-store", context.Response.Header("Cache-Control"));
        Assert.Equal("nosniff", context.Response.Header("X-Content-Type-Options"));
    }

    [Fact]
    public async Task A_protected_function_whose_url_cannot_be_parsed_refuses_a_caller_without_a_token()
    {
        var context = new TestFunctionContext("private", authorization: null, unparsableUrl: true);

        await _middleware.Invoke(context, RunFunction);

        Assert.Equal(HttpStatusCode.Forbidden, context.Response!.StatusCode);
        Assert.Equal("""{"detail":"Not authenticated"}""", context.Response.BodyText);
    }

    [Fact]
    public async Task A_protected_function_whose_url_cannot_be_parsed_still_answers_a_valid_bearer_token()
    {
        var context = new TestFunctionContext("private", "Bearer " + _app.Issuer.CreateToken(), unparsableUrl: true);

        await _middleware.Invoke(context, RunFunction);

        Assert.Equal(HttpStatusCode.OK, context.Response!.StatusCode);
    }

    [Fact]
    public async Task A_DPoP_proof_for_a_request_whose_url_cannot_be_parsed_is_refused_as_invalid()
    {
        using var key = DPoPKey.CreateEs256();
        var token = _app.Issuer.CreateBoundToken(key);
        var context = new TestFunctionContext(
            "private", "DPoP " + token, key.CreateProof("GET", "http://127.0.0.1/api/private", token), unparsableUrl: true);

        await _middleware.Invoke(context, RunFunction);

        Assert.Equal(HttpStatusCode.BadRequest, context.Response!.StatusCode);
        Assert.Equal(new SampleErrorContract().Body(TokenRejection.ProofUrl).ToArray(), ((MemoryStream)context.Response.Body).ToArray());
    }

    [Fact]
    public async Task With_forwarded_headers_trusted_a_proof_for_the_URL_they_name_is_accepted()
    {
        await InProcessValidator.WithAsync(s => s["Auth0__DPoPTrustForwardedHeaders"] = "true", async app =>
        {
            using var key = DPoPKey.CreateEs256();
            var token = app.Issuer.CreateBoundToken(key);
            var context = new TestFunctionContext("private", "DPoP " + token, key.CreateProof("GET", "https://api.example.com/api/private", token));
            context.Request.Headers.Add("X-Forwarded-Proto", "https");
            context.Request.Headers.Add("X-Forwarded-Host", "api.example.com");

            await app.Middleware().Invoke(context, RunFunction);

            Assert.Equal(HttpStatusCode.OK, context.Response!.StatusCode);
        });
    }

    private static class TwoPermissionsFunction
    {
        public const string Name = "two-permissions";

        public static TestFunctionContext Invocation(string authorization) => new(
            Name, authorization, entryPoint: TestFunctionContext.EntryPointOf(typeof(TwoPermissionsFunction), nameof(Run)), pathToAssembly: typeof(TwoPermissionsFunction).Assembly.Location);

        [Function(Name)]
        [RequireAccessToken("read:messages", "write:messages")]
        public static HttpResponseData Run([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request) =>
            request.CreateResponse(HttpStatusCode.OK);
    }
}
