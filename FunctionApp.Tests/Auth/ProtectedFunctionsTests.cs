using System.Collections.Immutable;
using FunctionApp.Auth;
using FunctionApp.Functions;
using FunctionApp.Tests.Support;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Tests.Auth;

/// <summary>Who may call a function, read from its own declaration wherever it lives, and the declarations that are refused.</summary>
public sealed class ProtectedFunctionsTests
{
    private static readonly ProtectedFunctions ByMark = new(requireByDefault: false);
    private static readonly ProtectedFunctions ByDefault = new(requireByDefault: true);

    [Fact]
    public void Private_requires_a_token_and_no_permission()
    {
        var requirement = Access(ByMark, "private", typeof(ApiFunctions), nameof(ApiFunctions.Private)).Requirement;

        Assert.NotNull(requirement);
        Assert.Empty(requirement.Permissions);
    }

    [Fact]
    public void Private_scoped_requires_read_messages()
    {
        var requirement = Access(ByMark, "private-scoped", typeof(ApiFunctions), nameof(ApiFunctions.PrivateScoped)).Requirement;

        Assert.Equal(["read:messages"], requirement!.Permissions);
        Assert.Equal("read:messages", requirement.Scope);
    }

    [Theory]
    [InlineData(typeof(ApiFunctions), nameof(ApiFunctions.Public))]
    [InlineData(typeof(ApiDocsFunctions), nameof(ApiDocsFunctions.OpenApi))]
    [InlineData(typeof(ApiDocsFunctions), nameof(ApiDocsFunctions.Page))]
    [InlineData(typeof(ApiDocsFunctions), nameof(ApiDocsFunctions.Asset))]
    public void Functions_marked_anonymous_answer_anyone_even_when_tokens_are_required_by_default(Type type, string method) =>
        Assert.Same(FunctionAccess.Anonymous, Access(ByDefault, method, type, method));

    [Fact]
    public void An_unmarked_http_function_answers_anyone_when_only_marks_require_tokens() =>
        Assert.Same(FunctionAccess.Anonymous, Access(ByMark, "unmarked", typeof(UnmarkedFunction), nameof(UnmarkedFunction.Run)));

    [Fact]
    public void An_unmarked_http_function_requires_a_token_and_no_permission_by_default()
    {
        var requirement = Access(ByDefault, "unmarked", typeof(UnmarkedFunction), nameof(UnmarkedFunction.Run)).Requirement;

        Assert.NotNull(requirement);
        Assert.Empty(requirement.Permissions);
    }

    [Fact]
    public void An_unmarked_function_with_another_trigger_runs_as_before_when_tokens_are_required_by_default() =>
        Assert.Same(FunctionAccess.Anonymous, Access(ByDefault, "unmarked-timer", typeof(UnmarkedTimerFunction), nameof(UnmarkedTimerFunction.Run)));

    [Theory]
    [InlineData(typeof(ActionResultFunction))]
    [InlineData(typeof(TaskOfActionResultFunction))]
    [InlineData(typeof(TaskOfOkResultFunction))]
    [InlineData(typeof(ResultFunction))]
    public void A_marked_function_answering_as_ASP_NET_Core_integration_lets_it_is_protected(Type type) =>
        Assert.NotNull(Access(ByMark, type.Name, type, "Run").Requirement);

    [Theory]
    [InlineData(typeof(TaskOfResponseFunction))]
    [InlineData(typeof(ValueTaskOfResponseFunction))]
    public void A_marked_function_answering_HttpResponseData_later_is_protected(Type type) =>
        Assert.NotNull(Access(ByMark, type.Name, type, "Run").Requirement);

    [Theory]
    [InlineData(typeof(TimerFunction), "Function 'TimerFunction' is marked [RequireAccessToken] but is not HTTP-triggered.")]
    [InlineData(typeof(MultiOutputFunction), "Function 'MultiOutputFunction' is marked [RequireAccessToken] but does not return HttpResponseData")]
    [InlineData(typeof(SpacedPermissionFunction), "Function 'SpacedPermissionFunction' requires a permission that is empty or contains a space or a quote.")]
    [InlineData(typeof(MarkedBothWaysFunction), "Function 'MarkedBothWaysFunction' is marked both [RequireAccessToken] and [AllowAnonymousAccess].")]
    public void A_mark_the_middleware_could_not_honour_refuses_the_function(Type type, string message)
    {
        var access = Access(ByMark, type.Name, type, "Run");

        Assert.Null(access.Requirement);
        Assert.StartsWith(message, access.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unmarked_http_function_that_could_not_answer_a_rejection_is_refused_when_tokens_are_required_by_default()
    {
        var access = Access(ByDefault, "unmarked-multi", typeof(UnmarkedMultiOutputFunction), nameof(UnmarkedMultiOutputFunction.Run));

        Assert.Null(access.Requirement);
        Assert.Contains("requires a token by default", access.Error, StringComparison.Ordinal);
        Assert.Contains("[AllowAnonymousAccess]", access.Error, StringComparison.Ordinal);
    }

    // The runtime's own messages name the missing type or file; only that is asserted of them, not their wording.
    [Theory]
    [InlineData("FunctionApp.Functions.ApiFunctions.Nope", null, "The entry point names no public method.")]
    [InlineData("FunctionApp.Functions.Nope.Private", null, "'FunctionApp.Functions.Nope'")]
    [InlineData("Private", null, "The entry point is not of the form Namespace.Type.Method.")]
    [InlineData(".Private", null, "The entry point is not of the form Namespace.Type.Method.")]
    [InlineData("FunctionApp.Functions.ApiFunctions.", null, "The entry point is not of the form Namespace.Type.Method.")]
    [InlineData("FunctionApp.Functions.ApiFunctions.Private", "/nowhere/Missing.dll", "'/nowhere/Missing.dll'")]
    [InlineData("FunctionApp.Functions.ApiFunctions.Private", "relative/Missing.dll", "/relative/Missing.dll'")]
    public void A_function_whose_method_cannot_be_found_is_refused_naming_it_and_why(string entryPoint, string? path, string why)
    {
        var assembly = path ?? typeof(ApiFunctions).Assembly.Location;
        var named = $"Function 'lost': its method {entryPoint} could not be read from {assembly}: ";

        var access = ByMark.Resolve("lost", entryPoint, assembly);

        Assert.Null(access.Requirement);
        Assert.StartsWith(named, access.Error, StringComparison.Ordinal);
        Assert.Contains(why, access.Error![named.Length..], StringComparison.Ordinal);
    }

    [Fact]
    public void A_function_whose_entry_point_names_an_overloaded_method_is_refused() =>
        Assert.NotNull(Access(ByMark, "overloaded", typeof(OverloadedFunction), nameof(OverloadedFunction.Run)).Error);

    [Fact]
    public void What_a_function_requires_is_read_on_its_first_invocation_and_kept()
    {
        var definition = new MovableDefinition(TestFunctionContext.EntryPointOf(typeof(ApiFunctions), nameof(ApiFunctions.Private)));
        var functions = new ProtectedFunctions(requireByDefault: false);
        var first = functions.Resolve(definition);

        definition.Path = "/nowhere/Missing.dll";

        Assert.Same(first, functions.Resolve(definition));
        Assert.NotNull(first.Requirement);
    }

    private static FunctionAccess Access(ProtectedFunctions functions, string name, Type type, string method) =>
        functions.Resolve(name, TestFunctionContext.EntryPointOf(type, method), type.Assembly.Location);

    private static class UnmarkedFunction
    {
        [Function("unmarked")]
        public static HttpResponseData Run([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request) => request.CreateResponse();
    }

    private static class UnmarkedTimerFunction
    {
        [Function("unmarked-timer")]
        public static void Run([TimerTriggerStandIn] object timer) => GC.KeepAlive(timer);
    }

    private static class UnmarkedMultiOutputFunction
    {
        [Function("unmarked-multi")]
        public static MultiOutput Run([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request) =>
            new() { Response = request.CreateResponse() };
    }

    private static class TaskOfResponseFunction
    {
        [Function("task-of-response")]
        [RequireAccessToken]
        public static Task<HttpResponseData> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request) =>
            Task.FromResult(request.CreateResponse());
    }

    private static class ValueTaskOfResponseFunction
    {
        [Function("value-task-of-response")]
        [RequireAccessToken]
        public static ValueTask<HttpResponseData> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request) =>
            ValueTask.FromResult(request.CreateResponse());
    }

    private static class ActionResultFunction
    {
        [Function("action-result")]
        [RequireAccessToken]
        public static Microsoft.AspNetCore.Mvc.IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get")] Microsoft.AspNetCore.Http.HttpRequest request) =>
            request.Query.ContainsKey("missing") ? new Microsoft.AspNetCore.Mvc.NotFoundResult() : new Microsoft.AspNetCore.Mvc.OkResult();
    }

    private static class TaskOfActionResultFunction
    {
        [Function("task-of-action-result")]
        [RequireAccessToken]
        public static Task<Microsoft.AspNetCore.Mvc.IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get")] Microsoft.AspNetCore.Http.HttpRequest request) =>
            Task.FromResult<Microsoft.AspNetCore.Mvc.IActionResult>(new Microsoft.AspNetCore.Mvc.OkResult());
    }

    private static class TaskOfOkResultFunction
    {
        [Function("task-of-ok-result")]
        [RequireAccessToken]
        public static Task<Microsoft.AspNetCore.Mvc.OkObjectResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get")] Microsoft.AspNetCore.Http.HttpRequest request) =>
            Task.FromResult(new Microsoft.AspNetCore.Mvc.OkObjectResult("ok"));
    }

    private static class ResultFunction
    {
        [Function("result")]
        [RequireAccessToken]
        public static Microsoft.AspNetCore.Http.IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get")] Microsoft.AspNetCore.Http.HttpRequest request) =>
            Microsoft.AspNetCore.Http.Results.Ok();
    }

    private static class TimerFunction
    {
        [Function("timer")]
        [RequireAccessToken]
        public static void Run([TimerTriggerStandIn] object timer) => GC.KeepAlive(timer);
    }

    private static class MultiOutputFunction
    {
        [Function("multi")]
        [RequireAccessToken]
        public static MultiOutput Run([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request) =>
            new() { Response = request.CreateResponse() };
    }

    private static class SpacedPermissionFunction
    {
        [Function("spaced")]
        [RequireAccessToken("read messages")]
        public static HttpResponseData Run([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request) =>
            request.CreateResponse();
    }

    private static class OverloadedFunction
    {
        [Function("overloaded")]
        [RequireAccessToken]
        public static HttpResponseData Run([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request) =>
            request.CreateResponse();

        public static HttpResponseData Run(HttpRequestData request, string other) => request.CreateResponse(other.Length == 0 ? System.Net.HttpStatusCode.OK : System.Net.HttpStatusCode.Accepted);
    }

    private sealed class MultiOutput
    {
        [HttpResult]
        public HttpResponseData? Response { get; init; }

        public string? Message { get; init; }
    }

    [AttributeUsage(AttributeTargets.Parameter)]
    private sealed class TimerTriggerStandInAttribute : Attribute;

    /// <summary>A definition whose assembly path a test can change after the first invocation.</summary>
    private sealed class MovableDefinition(string entryPoint) : FunctionDefinition
    {
        public string Path { get; set; } = typeof(ApiFunctions).Assembly.Location;

        public override ImmutableArray<FunctionParameter> Parameters => [];

        public override string PathToAssembly => Path;

        public override string EntryPoint => entryPoint;

        public override string Id { get; } = Guid.NewGuid().ToString();

        public override string Name => "private";

        public override IImmutableDictionary<string, BindingMetadata> InputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;

        public override IImmutableDictionary<string, BindingMetadata> OutputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;
    }
}
