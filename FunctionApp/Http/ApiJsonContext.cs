using System.Text.Json.Serialization;

namespace FunctionApp.Http;

/// <summary>Source-generated serialisation of the API's own bodies: no reflection at run time.</summary>
[JsonSerializable(typeof(StatusMessage))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
