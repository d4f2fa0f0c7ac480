using System.Text.Json.Serialization;

namespace FunctionApp.Http;

/// <summary>FastAPI's body for a missing or unusable credential: <c>{"detail":"..."}</c>.</summary>
public sealed record DetailMessage([property: JsonPropertyName("detail")] string Detail);
