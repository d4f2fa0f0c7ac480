namespace FunctionApp.Docs;

/// <summary>Names the type of a function's 200 JSON body, for the API docs.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
internal sealed class ResponseBodyAttribute(Type bodyType) : Attribute
{
    public Type BodyType { get; } = bodyType;
}
