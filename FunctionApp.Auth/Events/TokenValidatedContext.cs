using System.Security.Claims;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Auth;

/// <summary>What <see cref="AccessTokenEvents.OnTokenValidated"/> sees of a request whose token has been verified.</summary>
public sealed class TokenValidatedContext
{
    // Long enough for a sentence, short enough for a header; printable ASCII without the characters a quoted string escapes.
    private const int MaxReasonLength = 200;

    private readonly IVerifiedAccessTokenFeature _caller;

    internal TokenValidatedContext(FunctionContext functionContext, HttpRequestData request, IVerifiedAccessTokenFeature caller)
    {
        FunctionContext = functionContext;
        Request = request;
        _caller = caller;
    }

    /// <summary>The invocation of the protected function.</summary>
    public FunctionContext FunctionContext { get; }

    /// <summary>The request.</summary>
    public HttpRequestData Request { get; }

    /// <summary>The verified token.</summary>
    public VerifiedAccessToken Token => _caller.Token;

    /// <summary>
    /// The caller, as the function will read it with <c>GetVerifiedUser()</c>: claims added here reach the function.
    /// Built on first use, so a request whose events never ask for it does not pay for reading the claims.
    /// </summary>
    public ClaimsPrincipal User => _caller.User;

    internal string? FailureReason { get; private set; }

    /// <summary>
    /// Refuses the token as an invalid one: the function does not run, and the caller gets the error contract's answer
    /// for an invalid token (400 under the sample's, 401 under RFC 6750's) with <paramref name="reason"/> as its reason,
    /// in the body and the challenge. At most 200 printable ASCII characters, without <c>"</c> or <c>\</c>.
    /// </summary>
    public void Fail(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        if (reason.Length > MaxReasonLength || reason.Any(c => c is < ' ' or > '~' or '"' or '\\'))
        {
            throw new ArgumentException(
                $"A reason is at most {MaxReasonLength} printable ASCII characters, without '\"' or '\\': it is written into a header.", nameof(reason));
        }

        FailureReason = reason;
    }
}
