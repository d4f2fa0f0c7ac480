using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Http;

/// <summary>Writes JSON bodies byte for byte, so that what the API promises is exactly what it sends.</summary>
internal static class JsonResponses
{
    public const string ContentType = "application/json; charset=utf-8";

    // The sample's messages contain apostrophes; the default encoder would send them as \u0027.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Serialises a flat object of string properties, in the order given.</summary>
    public static byte[] Object(params (string Name, string Value)[] properties)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in properties)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static async Task<HttpResponseData> CreateJsonResponseAsync(
        this HttpRequestData request, HttpStatusCode status, ReadOnlyMemory<byte> body)
    {
        var response = request.CreateResponse(status);
        response.Headers.Add("Content-Type", ContentType);
        await response.Body.WriteAsync(body);
        return response;
    }
}
