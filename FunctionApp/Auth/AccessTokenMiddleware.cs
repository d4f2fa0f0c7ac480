using System.Globalization;
using FunctionApp.Endpoints;
using FunctionApp.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace FunctionApp.Auth;

/// <summary>
/// Runs before every function marked <see cref="RequireAccessTokenAttribute"/>: verifies the bearer token and either
/// hands it to the function or answers for it with the rejection.
/// </summary>
public sealed partial class AccessTokenMiddleware : IFunctionsWorkerMiddleware
{
    private const int RetryAfterSeconds = 5;
    private const int MaxLoggedKeyIdLength = 64;

    private readonly FunctionCatalog _catalog;
    private readonly Auth0TokenValidator _validator;
    private readonly RejectionResponses _responses;
    private readonly ILogger<AccessTokenMiddleware> _logger;

    public AccessTokenMiddleware(
        FunctionCatalog catalog,
        Auth0TokenValidator validator,
        RejectionResponses responses,
        ILogger<AccessTokenMiddleware> logger)
    {
        _catalog = catalog;
        _validator = validator;
        _responses = responses;
        _logger = logger;
    }

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!_catalog.TryGetRequirement(context.FunctionDefinition.Name, out var requirement))
        {
            await next(context);
            return;
        }

        var request = await context.GetHttpRequestDataAsync()
            ?? throw new InvalidOperationException($"Protected function '{context.FunctionDefinition.Name}' has no HTTP request.");
        var authorization = request.Headers.TryGetValues("Authorization", out var values) ? string.Join(',', values) : null;

        var result = await _validator.ValidateAsync(authorization, context.CancellationToken);
        var rejection = result.Rejection;
        if (result.Token is not null)
        {
            // Permissions are looked at only once the signature and claims have been verified.
            if (requirement.IsSatisfiedBy(result.Token))
            {
                context.SetVerifiedAccessToken(result.Token);
                await next(context);
                return;
            }

            rejection = TokenRejection.InsufficientScope;
        }

        var answer = _responses.For(rejection!, requirement.Scope);
        LogRejected(_logger, context.FunctionDefinition.Name, (int)answer.Status, rejection!.Reason, Truncate(result.KeyId));
        var response = await request.CreateJsonResponseAsync(answer.Status, answer.Body);
        if (answer.Challenge is not null)
        {
            response.Headers.Add("WWW-Authenticate", answer.Challenge);
        }

        if (answer.RetryLater)
        {
            response.Headers.Add("Retry-After", RetryAfterSeconds.ToString(CultureInfo.InvariantCulture));
        }

        context.GetInvocationResult().Value = response;
    }

    // The kid comes from the caller: bound what reaches the logs.
    private static string? Truncate(string? keyId) =>
        keyId is { Length: > MaxLoggedKeyIdLength } ? keyId[..MaxLoggedKeyIdLength] + "…" : keyId;

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Rejected a request to {Function}: {Status} {Reason} (kid: {Kid})")]
    private static partial void LogRejected(ILogger logger, string function, int status, string reason, string? kid);
}
