using System.Text.Json.Serialization;

namespace FunctionApp.Http;

/// <summary>The sample's body: <c>{"status":"success"|"error","msg":"..."}</c>.</summary>
internal sealed record StatusMessage(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("msg")] string Msg);
