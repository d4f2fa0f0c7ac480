using FunctionApp.Auth;
using FunctionApp.Functions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Tests.Auth;

/// <summary>The [RequireAccessToken] marks, read at start-up, and the marks that stop start-up.</summary>
public sealed class ProtectedFunctionsTests
{
    private readonly ProtectedFunctions _app = new([typeof(ApiFunctions), typeof(ApiDocsFunctions)]);

    [Fact]
    public void Private_requires_a_token_and_no_permission()
    {
        Assert.True(_app.TryGetRequirement("private", out var requirement));
        Assert.Empty(requirement.Permissions);
    }

    [Fact]
    public void Private_scoped_requires_read_messages()
    {
        Assert.True(_app.TryGetRequirement("private-scoped", out var requirement));
        Assert.Equal(["read:messages"], requirement.Permissions);
        Assert.Equal("read:messages", requirement.Scope);
    }

    [Theory]
    [InlineData("public")]
    [InlineData("docs")]
    [InlineData("nope")]
    public void Unmarked_and_unknown_functions_require_nothing(string name) => Assert.False(_app.TryGetRequirement(name, out _));

    [Fact]
    public void Function_names_are_matched_as_the_host_matches_them_without_regard_to_case() =>
        Assert.True(_app.TryGetRequirement("PRIVATE", out _));

    [Theory]
    [InlineData(typeof(TimerFunction), "Function 'timer' is marked [RequireAccessToken] but is not HTTP-triggered.")]
    [InlineData(typeof(MultiOutputFunction), "Function 'multi' is marked [RequireAccessToken] but does not return HttpResponseData")]
    [InlineData(typeof(SpacedPermissionFunction), "Function 'spaced' requires a permission that is empty or contains a space or a quote.")]
    [InlineData(typeof(NotAFunction), "NotAFunction.Run is marked [RequireAccessToken] but is not a function.")]
    public void A_mark_the_middleware_could_not_honour_stops_start_up(Type type, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ProtectedFunctions([type]));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
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

    private static class NotAFunction
    {
        [RequireAccessToken]
        public static HttpResponseData Run(HttpRequestData request) => request.CreateResponse();
    }

    private sealed class MultiOutput
    {
        [HttpResult]
        public HttpResponseData? Response { get; init; }

        public string? Message { get; init; }
    }

    [AttributeUsage(AttributeTargets.Parameter)]
    private sealed class TimerTriggerStandInAttribute : Attribute;
}
