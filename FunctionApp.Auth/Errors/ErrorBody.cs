using System.Text.Encodings.Web;
using System.Text.Json;

namespace FunctionApp.Auth;

/// <summary>The JSON object an error contract answers a rejection with: its string members in order, and the name of its schema in the API docs.</summary>
internal sealed record ErrorBody(string SchemaName, params IReadOnlyList<(string Name, string Value)> Members)
{
    // The reasons contain apostrophes, which the default encoder would send as \u0027.
    private static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The body as UTF-8 JSON.</summary>
    public byte[] ToUtf8Json()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Relaxed))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in Members)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
