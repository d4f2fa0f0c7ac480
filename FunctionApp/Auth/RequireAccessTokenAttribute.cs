namespace FunctionApp.Auth;

/// <summary>Marks an HTTP-triggered function as answering only callers with a valid Auth0 access token.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class RequireAccessTokenAttribute : Attribute;
