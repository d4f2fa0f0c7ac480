namespace FunctionApp.Auth;

/// <summary>
/// Marks an HTTP-triggered function as answering anyone, also when <see cref="Auth0Options.RequireAccessTokenByDefault"/>
/// makes every other HTTP-triggered function require a valid access token.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class AllowAnonymousAccessAttribute : Attribute;
