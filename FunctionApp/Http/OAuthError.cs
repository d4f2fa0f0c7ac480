using System.Text.Json.Serialization;

namespace FunctionApp.Http;

/// <summary>The RFC 6749/6750 error body: <c>{"error":"...","error_description":"..."}</c>.</summary>
public sealed record OAuthError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string ErrorDescription);
