namespace FunctionApp.Docs;

/// <summary>One HTTP-triggered function as declared in code: route, methods, protection and documentation.</summary>
/// <param name="Name">The function's name.</param>
/// <param name="Route">The route below the host's route prefix, without slashes, e.g. <c>private</c>.</param>
/// <param name="Methods">The HTTP methods, lowercase.</param>
/// <param name="Summary">One line for the API docs, from <see cref="System.ComponentModel.DescriptionAttribute"/>.</param>
/// <param name="Permissions">What a caller's token must grant, empty for any valid token, or null for a function anyone may call.</param>
/// <param name="ResponseBody">The type of the 200 body, or null for any JSON object.</param>
/// <param name="Documented">False for functions marked <see cref="ExcludeFromApiDocsAttribute"/>.</param>
internal sealed record FunctionEndpoint(
    string Name,
    string Route,
    IReadOnlyList<string> Methods,
    string Summary,
    IReadOnlyList<string>? Permissions,
    Type? ResponseBody,
    bool Documented);
