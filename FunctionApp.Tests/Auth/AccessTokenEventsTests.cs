using System.Net;
using System.Security.Claims;
using FunctionApp.Auth;
using FunctionApp.Tests.Support;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Tests.Auth;

/// <summary>
/// The app's own code at two points of a request: a check after the token is verified (the example docs/architecture
/// names for "add a check"), and an answer of its own in place of a rejection.
/// </summary>
public sealed class AccessTokenEventsTests : IAsyncLifetime
{
    private readonly InProcessValidator _app = new();

    public Task InitializeAsync() => _app.InitializeAsync();

    public Task DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task A_check_of_the_apps_own_refuses_a_verified_token_as_an_invalid_one_and_the_function_does_not_run()
    {
        // A check the protection does not make: only tokens issued to one client application.
        var events = new AccessTokenEvents
        {
            OnTokenValidated = context =>
            {
                if (context.User.FindFirst("azp")?.Value != "the-only-client")
                {
                    context.Fail("Client application not allowed");
                }

                return Task.CompletedTask;
            },
        };
        var context = new TestFunctionContext("private", "Bearer " + _app.Issuer.CreateToken());
        var ran = false;

        await _app.Middleware(events).Invoke(context, _ => { ran = true; return Task.CompletedTask; });

        Assert.False(ran);
        Assert.Equal(HttpStatusCode.BadRequest, context.Response!.StatusCode);
        Assert.Equal("""{"status":"error","msg":"Client application not allowed"}""", context.Response.BodyText);
        Assert.StartsWith("Bearer error=\"invalid_token\", error_description=\"Client application not allowed\"", context.Response.Header("WWW-Authenticate"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Claims_added_after_validation_reach_the_function()
    {
        var events = new AccessTokenEvents
        {
            OnTokenValidated = context =>
            {
                context.User.AddIdentity(new ClaimsIdentity([new Claim("tenant", "contoso")]));
                return Task.CompletedTask;
            },
        };
        var context = new TestFunctionContext("private", "Bearer " + _app.Issuer.CreateToken());
        string? tenant = null;

        await _app.Middleware(events).Invoke(context, c => { tenant = c.GetVerifiedUser().FindFirst("tenant")?.Value; return Task.CompletedTask; });

        Assert.Equal("contoso", tenant);
    }

    [Fact]
    public async Task A_check_of_the_apps_own_runs_before_the_permissions_are_checked()
    {
        var events = new AccessTokenEvents { OnTokenValidated = context => { context.Fail("Refused by the app"); return Task.CompletedTask; } };
        var context = new TestFunctionContext("private-scoped", "Bearer " + _app.Issuer.CreateToken());

        await _app.Middleware(events).Invoke(context, _ => Task.CompletedTask);

        Assert.Equal("""{"status":"error","msg":"Refused by the app"}""", context.Response!.BodyText);
    }

    [Fact]
    public async Task A_reason_of_exactly_200_characters_is_the_answer_s_reason()
    {
        var reason = new string('r', 200);

        Assert.Contains($"error_description=\"{reason}\"", await ChallengeRefusingWith(reason), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reason_may_hold_every_printable_ASCII_character_but_the_quote_and_the_backslash()
    {
        var reason = new string([.. Enumerable.Range(' ', '~' - ' ' + 1).Select(c => (char)c).Where(c => c is not '"' and not '\\')]);

        Assert.Contains($"error_description=\"{reason}\"", await ChallengeRefusingWith(reason), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a \"quoted\" reason")]
    [InlineData("a reason\r\nX-Injected: 1")]
    [InlineData("une raison accentu\u00e9e")]
    public async Task A_reason_that_could_break_the_challenge_header_is_refused_and_the_function_does_not_run(string reason)
    {
        var events = new AccessTokenEvents { OnTokenValidated = context => { context.Fail(reason); return Task.CompletedTask; } };
        var context = new TestFunctionContext("private", "Bearer " + _app.Issuer.CreateToken());
        var ran = false;

        await Assert.ThrowsAnyAsync<ArgumentException>(() => _app.Middleware(events).Invoke(context, _ => { ran = true; return Task.CompletedTask; }));

        Assert.False(ran);
    }

    [Fact]
    public async Task An_answer_of_the_apps_own_replaces_the_rejection()
    {
        RejectingContext? seen = null;
        var events = new AccessTokenEvents
        {
            OnRejecting = async context =>
            {
                seen = context;
                var response = context.Request.CreateResponse(HttpStatusCode.Unauthorized);
                await response.WriteStringAsync("sign in at https://login.example.com");
                context.Respond(response);
            },
        };
        var context = new TestFunctionContext("private", authorization: null);

        await _app.Middleware(events).Invoke(context, _ => Task.CompletedTask);

        Assert.Equal(HttpStatusCode.Unauthorized, context.Response!.StatusCode);
        Assert.Equal("sign in at https://login.example.com", context.Response.BodyText);
        Assert.Equal((HttpStatusCode.Forbidden, "invalid_request", "Not authenticated"), (seen!.Status, seen.Error, seen.Reason));
    }

    [Fact]
    public async Task A_rejection_the_app_leaves_alone_is_the_documented_answer()
    {
        var events = new AccessTokenEvents { OnRejecting = _ => Task.CompletedTask };
        var context = new TestFunctionContext("private", authorization: null);

        await _app.Middleware(events).Invoke(context, _ => Task.CompletedTask);

        Assert.Equal(HttpStatusCode.Forbidden, context.Response!.StatusCode);
        Assert.Equal("""{"detail":"Not authenticated"}""", context.Response.BodyText);
    }

    [Fact]
    public async Task An_accepted_token_runs_no_rejection_event()
    {
        var rejected = false;
        var events = new AccessTokenEvents { OnRejecting = _ => { rejected = true; return Task.CompletedTask; } };
        var context = new TestFunctionContext("private", "Bearer " + _app.Issuer.CreateToken());
        var ran = false;

        await _app.Middleware(events).Invoke(context, _ => { ran = true; return Task.CompletedTask; });

        Assert.True(ran);
        Assert.False(rejected);
    }

    // The WWW-Authenticate value of a request whose verified token the app's own check refuses with reason.
    private async Task<string> ChallengeRefusingWith(string reason)
    {
        var events = new AccessTokenEvents { OnTokenValidated = context => { context.Fail(reason); return Task.CompletedTask; } };
        var context = new TestFunctionContext("private", "Bearer " + _app.Issuer.CreateToken());

        await _app.Middleware(events).Invoke(context, _ => Task.CompletedTask);

        return context.Response!.Header("WWW-Authenticate");
    }
}
