using FunctionApp.Auth;

namespace FunctionApp.Tests.Support;

/// <summary>Requests that carry only an Authorization header, as Bearer requests do, for the in-process tests.</summary>
internal static class BearerRequests
{
    /// <summary>A GET with <paramref name="authorization"/> as its Authorization header (none when null), and nothing else.</summary>
    public static ProtectedRequest WithAuthorization(string? authorization) => new(authorization, null, "GET", null);

    /// <summary>Checks a request that carries only <paramref name="authorization"/>.</summary>
    public static Task<AccessTokenResult> ValidateAsync(this Auth0TokenValidator validator, string? authorization, CancellationToken cancellationToken) =>
        validator.ValidateAsync(WithAuthorization(authorization), cancellationToken);
}
