using System.Globalization;
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

    private readonly ProtectedFunctionCatalog _catalog;
    private readonly Auth0TokenValidator _validator;
    private readonly ILogger<AccessTokenMiddleware> _logger;

    public AccessTokenMiddleware(
        ProtectedFunctionCatalog catalog, Auth0TokenValidator validator, ILogger<AccessTokenMiddleware> logger)
    {
        _catalog = catalog;
        _validator = validator;
        _logger = logger;
    }

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!_catalog.IsProtected(context.FunctionDefinition.Name))
        {
            await next(context);
            return;
        }

        var request = await context.GetHttpRequestDataAsync()
            ?? throw new InvalidOperationException($"Protected function '{context.FunctionDefinition.Name}' has no HTTP request.");
        var authorization = request.Headers.TryGetValues("Authorization", out var values) ? string.Join(',', values) : null;

        var result = await _validator.ValidateAsync(authorization, context.CancellationToken);
        if (result.Token is not null)
        {
            context.SetVerifiedAccessToken(result.Token);
            await next(context);
            return;
        }

        var rejection = result.Rejection!;
        LogRejected(_logger, context.FunctionDefinition.Name, (int)rejection.Status, rejection.Reason, Truncate(result.KeyId));
        var response = await request.CreateJsonResponseAsync(rejection.Status, rejection.Body);
        response.Headers.Add("WWW-Authenticate", rejection.Challenge);
        if (rejection.RetryLater)
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
