using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Http;

/// <summary>Writes JSON bodies byte for byte, so that what the API promises is exactly what it sends.</summary>
internal static class JsonResponses
{
    public const string ContentType = "application/json; charset=utf-8";

    // The sample's messages contain apostrophes; the default encoder would send them as \u0027.
    private static readonly ApiJsonContext Context = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>The UTF-8 JSON of one of the API's own bodies.</summary>
    public static byte[] Serialize<T>(T body) =>
        JsonSerializer.SerializeToUtf8Bytes(body, (JsonTypeInfo<T>)Context.GetTypeInfo(typeof(T))!);

    public static async Task<HttpResponseData> CreateJsonResponseAsync(
        this HttpRequestData request, HttpStatusCode status, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = request.CreateResponse(status);
        response.Headers.Add("Content-Type", ContentType);
        await response.Body.WriteAsync(body);
        return response;
    }
}
