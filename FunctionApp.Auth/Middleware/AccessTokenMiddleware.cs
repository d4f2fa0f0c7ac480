using System.Net;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionApp.Auth;

/// <summary>
/// Runs before every function: for one that requires an access token, verifies it (and, for a DPoP-bound one, its proof)
/// and either hands it to the function or answers for it with the rejection. A function whose declaration could not be
/// read or honoured never runs.
/// </summary>
internal sealed partial class AccessTokenMiddleware : IFunctionsWorkerMiddleware
{
    private const string RetryAfterSeconds = "5";
    private const string JsonContentType = "application/json; charset=utf-8";
    private static readonly byte[] InternalErrorBody = """{"detail":"Internal Server Error"}"""u8.ToArray();

    private readonly ProtectedFunctions _functions;
    private readonly Auth0TokenValidator _validator;
    private readonly DPoPNonces _nonces;
    private readonly Auth0Options _options;
    private readonly ErrorContractAnswers _answers;
    private readonly AccessTokenTelemetry _telemetry;
    private readonly AccessTokenEvents _events;
    private readonly ILogger<AccessTokenMiddleware> _logger;

    public AccessTokenMiddleware(
        ProtectedFunctions functions,
        Auth0TokenValidator validator,
        DPoPNonces nonces,
        IOptions<Auth0Options> options,
        ErrorContractAnswers answers,
        AccessTokenTelemetry telemetry,
        AccessTokenEvents events,
        ILogger<AccessTokenMiddleware> logger)
    {
        _functions = functions;
        _validator = validator;
        _nonces = nonces;
        _options = options.Value;
        _answers = answers;
        _telemetry = telemetry;
        _events = events;
        _logger = logger;
    }

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var function = context.FunctionDefinition.Name;
        var access = _functions.Resolve(context.FunctionDefinition);
        if (access.Error is { } error)
        {
            await RefuseAsync(context, error).ConfigureAwait(false);
            return;
        }

        if (access.Requirement is not { } requirement)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var request = await context.GetHttpRequestDataAsync().ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Protected function '{function}' has no HTTP request.");
        // Only a DPoP proof needs the URL; without one that parses, a proof is refused and a bearer token checked as usual.
        var credentials = new ProtectedRequest(
            Header(request, "Authorization"), Header(request, "DPoP"), request.Method, RequestUrl.Of(request),
            Header(request, "X-Forwarded-Proto"), Header(request, "X-Forwarded-Host"));

        using var activity = AccessTokenTelemetry.StartValidation(function);
        var result = await _validator.ValidateAsync(credentials, context.CancellationToken).ConfigureAwait(false);
        TokenRejection rejection;
        if (result.IsVerified)
        {
            // The app's own checks come after the protection's, and permissions only once every check has passed.
            var caller = new VerifiedAccessTokenFeature(result.Token);
            var validated = new TokenValidatedContext(context, request, caller);
            await _events.OnTokenValidated(validated).ConfigureAwait(false);
            if (validated.FailureReason is { } refused)
            {
                rejection = TokenRejection.RefusedByApp(refused);
            }
            else if (requirement.IsSatisfiedBy(result.Token))
            {
                _telemetry.RecordOutcome(activity, function, AccessTokenTelemetry.Accepted, null, result.KeyId, result.Issuer);
                // The span measures the check, not the function it lets through.
                activity?.Stop();
                context.Features.Set<IVerifiedAccessTokenFeature>(caller);
                await next(context).ConfigureAwait(false);
                if (context.GetHttpResponseData() is { } answer)
                {
                    KeepPrivate(answer);
                    OfferNonce(answer, result.Scheme);
                }

                return;
            }
            else
            {
                rejection = TokenRejection.InsufficientScope;
            }
        }
        else
        {
            rejection = result.Rejection;
        }

        var status = _answers.Status(rejection);
        _telemetry.RecordOutcome(activity, function, rejection.Reason, (int)status, result.KeyId, result.Issuer);
        LogRejected(_logger, function, (int)status, rejection.Reason, LogValue.Escape(result.KeyId));
        var rejecting = new RejectingContext(context, request, status, rejection.Error, rejection.Reason);
        await _events.OnRejecting(rejecting).ConfigureAwait(false);
        if (rejecting.Response is { } own)
        {
            context.GetInvocationResult().Value = own;
            return;
        }

        var response = request.CreateResponse(status);
        response.Headers.Add("Content-Type", JsonContentType);
        KeepPrivate(response);
        OfferNonce(response, result.Scheme);
        if (rejection.Challenge(requirement.Scope, result.Scheme, _options) is { } challenge)
        {
            // Unparsed: a parsed value is held as one value per challenge, which ASP.NET Core integration sends as
            // one header each.
            response.Headers.TryAddWithoutValidation("WWW-Authenticate", challenge);
        }

        if (rejection.RetryLater)
        {
            response.Headers.Add("Retry-After", RetryAfterSeconds);
        }

        await response.Body.WriteAsync(_answers.Body(rejection), context.CancellationToken).ConfigureAwait(false);
        context.GetInvocationResult().Value = response;
    }

    // Fails closed: the function does not run, and its caller learns nothing of why.
    private async Task RefuseAsync(FunctionContext context, string error)
    {
        LogUnreadable(_logger, context.FunctionDefinition.Name, error);
        var request = await context.GetHttpRequestDataAsync().ConfigureAwait(false)
            ?? throw new InvalidOperationException(error);
        var response = request.CreateResponse(HttpStatusCode.InternalServerError);
        response.Headers.Add("Content-Type", JsonContentType);
        KeepPrivate(response);
        await response.Body.WriteAsync(InternalErrorBody, context.CancellationToken).ConfigureAwait(false);
        context.GetInvocationResult().Value = response;
    }

    // Answers about a caller's credentials are for that caller only: no shared cache may keep them, no browser may sniff them.
    private static void KeepPrivate(HttpResponseData response)
    {
        response.Headers.Add("Cache-Control", "no-store");
        response.Headers.Add("X-Content-Type-Options", "nosniff");
    }

    // RFC 9449 8.2: a fresh nonce on every answer to a DPoP request, so a client that keeps it is never challenged for one.
    private void OfferNonce(HttpResponseData response, CredentialScheme scheme)
    {
        if (scheme == CredentialScheme.DPoP && _nonces.Enabled)
        {
            response.Headers.Add("DPoP-Nonce", _nonces.Current());
        }
    }

    // As the client sent it: the worker's header collection would parse an Authorization value and write it back
    // normalised ("Bearer<TAB>token" as "Bearer token"), and what is checked must be what was sent.
    private static string? Header(HttpRequestData request, string name) =>
        request.Headers.NonValidated.TryGetValues(name, out var values) ? string.Join(',', values) : null;

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Rejected a request to {Function}: {Status} {Reason} (kid: {Kid})")]
    private static partial void LogRejected(ILogger logger, string function, int status, string reason, string? kid);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error,
        Message = "Refused a request to {Function}: who may call it could not be read, so it does not run. {Error}")]
    private static partial void LogUnreadable(ILogger logger, string function, string error);
}
