namespace FunctionApp.Auth;

/// <summary>
/// Marks an HTTP-triggered function as answering only callers with a valid Auth0 access token that grants every
/// permission listed (in its <c>scope</c> claim or its <c>permissions</c> array).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class RequireAccessTokenAttribute(params string[] permissions) : Attribute
{
    /// <summary>The permissions a token must grant, every one of them; none: any valid token.</summary>
    public IReadOnlyList<string> Permissions { get; } = permissions;
}
