using FunctionApp.Auth;

namespace FunctionApp.Endpoints;

/// <summary>One HTTP-triggered function as declared in code: route, methods, protection and documentation.</summary>
/// <param name="Name">The function's name.</param>
/// <param name="Path">The URL path, route prefix included, e.g. <c>/api/private</c>.</param>
/// <param name="Methods">The HTTP methods, lowercase.</param>
/// <param name="Summary">One line for the API docs, from <see cref="System.ComponentModel.DescriptionAttribute"/>.</param>
/// <param name="Requirement">What a caller's token must satisfy, or null for a function anyone may call.</param>
/// <param name="ResponseBody">The type of the 200 body, or null for any JSON object.</param>
/// <param name="Documented">False for functions marked <see cref="ExcludeFromApiDocsAttribute"/>.</param>
public sealed record FunctionEndpoint(
    string Name,
    string Path,
    IReadOnlyList<string> Methods,
    string Summary,
    AccessRequirement? Requirement,
    Type? ResponseBody,
    bool Documented);
