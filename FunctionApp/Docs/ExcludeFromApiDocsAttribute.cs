namespace FunctionApp.Docs;

/// <summary>Keeps a function (such as the docs themselves) out of the OpenAPI document.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
internal sealed class ExcludeFromApiDocsAttribute : Attribute;
