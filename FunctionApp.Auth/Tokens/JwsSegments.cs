using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FunctionApp.Auth;

/// <summary>Checks a signature given the ASCII signing input and the decoded signature, each the first bytes of its array.</summary>
internal delegate bool SignatureCheck<in TState>(TState state, byte[] input, int inputLength, byte[] signature, int signatureLength);

/// <summary>
/// The three segments of a compact JWS (RFC 7515 7.1), access token or DPoP proof alike: read only through the strict
/// JSON rules, and verified over exactly the bytes that were signed.
/// </summary>
internal static class JwsSegments
{
    // The characters of a compact JWS: three base64url segments joined by dots, no padding.
    private static readonly SearchValues<char> CompactJwsChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    /// <summary>
    /// The decoded header and payload when <paramref name="jws"/> is three base64url segments (header and payload not
    /// empty) whose header and payload are each one strict JSON object (<see cref="StrictJson"/>): a five-segment JWE
    /// is refused here, never decrypted.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<char> jws, ReadOnlySpan<string> numericDates, out byte[]? header, out byte[]? payload)
    {
        (header, payload) = (null, null);
        var firstDot = jws.IndexOf('.');
        var lastDot = jws.LastIndexOf('.');
        if (jws.ContainsAnyExcept(CompactJwsChars) || jws.Count('.') != 2 || firstDot == 0 || lastDot == firstDot + 1)
        {
            return false;
        }

        header = TryDecode(jws[..firstDot]);
        payload = TryDecode(jws[(firstDot + 1)..lastDot]);
        return header is not null && payload is not null
            && StrictJson.IsStrictObject(header, []) && StrictJson.IsStrictObject(payload, numericDates);
    }

    /// <summary>
    /// Runs <paramref name="check"/> over the ASCII of header.payload and the signature decoded from the last segment
    /// (RFC 7515 5.2). A signature segment that is empty or no base64url fails like a wrong one, and so does a check
    /// that throws a <see cref="CryptographicException"/>.
    /// </summary>
    public static bool IsSignatureValid<TState>(string jws, TState state, SignatureCheck<TState> check)
    {
        ArgumentNullException.ThrowIfNull(jws);
        ArgumentNullException.ThrowIfNull(check);
        var lastDot = jws.LastIndexOf('.');
        var signatureText = jws.AsSpan(lastDot + 1);
        if (signatureText.IsEmpty || !Base64Url.IsValid(signatureText))
        {
            return false;
        }

        var input = ArrayPool<byte>.Shared.Rent(lastDot);
        var signature = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength(signatureText.Length));
        try
        {
            var inputLength = Encoding.ASCII.GetBytes(jws.AsSpan(0, lastDot), input);
            return Base64Url.TryDecodeFromChars(signatureText, signature, out var signatureLength)
                && check(state, input, inputLength, signature, signatureLength);
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<byte>.Shared.Return(signature);
        }
    }

    /// <summary>The base64url segment of the JSON object <paramref name="members"/> writes: for the warm-ups' own tokens and proofs.</summary>
    public static string Encode(Action<Utf8JsonWriter> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }

        return Base64Url.EncodeToString(buffer.WrittenSpan);
    }

    /// <summary>The bytes of a base64url text without padding, or null when it is none.</summary>
    public static byte[]? TryDecode(ReadOnlySpan<char> segment)
    {
        // TryDecodeFromChars returns false only for a destination too small; a segment that is no base64url, such as
        // one of 4n+1 characters, makes it throw.
        if (!Base64Url.IsValid(segment))
        {
            return null;
        }

        var bytes = new byte[Base64Url.GetMaxDecodedLength(segment.Length)];
        // The maximum is exact for the unpadded segments that reach here, so the copy is the exception.
        return !Base64Url.TryDecodeFromChars(segment, bytes, out var written) ? null
            : written == bytes.Length ? bytes
            : bytes[..written];
    }
}
