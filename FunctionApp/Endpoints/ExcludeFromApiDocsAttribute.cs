namespace FunctionApp.Endpoints;

/// <summary>Keeps a function (such as the docs themselves) out of the OpenAPI document.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class ExcludeFromApiDocsAttribute : Attribute;
