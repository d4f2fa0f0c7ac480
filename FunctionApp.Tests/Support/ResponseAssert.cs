using System.Text.RegularExpressions;

namespace FunctionApp.Tests.Support;

/// <summary>Assertions on the responses the app promises.</summary>
public static partial class ResponseAssert
{
    /// <summary>The DPoP challenge every rejection carries under the default settings (DPoP allowed, ES256 proofs).</summary>
    public const string DPoPChallenge = "DPoP algs=\"ES256\"";

    public static async Task JsonAsync(HttpResponseMessage response, int status, string body)
    {
        ArgumentNullException.ThrowIfNull(response);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A 400 for a token that failed verification, with the reason in the body and the challenge.</summary>
    public static async Task InvalidTokenAsync(HttpResponseMessage response, string reason)
    {
        await JsonAsync(response, 400, $$"""{"status":"error","msg":"{{reason}}"}""");
        Assert.Equal([$"Bearer error=\"invalid_token\", error_description=\"{reason}\"", DPoPChallenge], Challenges(response));
    }

    /// <summary>A 400 for a DPoP proof that failed its checks, with the reason in the body and the DPoP challenge first.</summary>
    public static async Task InvalidProofAsync(HttpResponseMessage response, string reason)
    {
        await JsonAsync(response, 400, $$"""{"status":"error","msg":"{{reason}}"}""");
        Assert.Equal([$"DPoP error=\"invalid_dpop_proof\", error_description=\"{reason}\", algs=\"ES256\"", "Bearer"], Challenges(response));
    }

    /// <summary>
    /// The challenges of WWW-Authenticate, one per scheme, however the worker joined them (it writes a header's values
    /// separated by bare commas).
    /// </summary>
    public static string[] Challenges(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var value = response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var values) ? string.Join(",", values) : string.Empty;
        return value.Length == 0 ? [] : SchemeStart().Split(value);
    }

    /// <summary>An answer about a caller's credentials: never stored by a shared cache, never sniffed as another type.</summary>
    public static void KeptPrivate(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
    }

    // A comma that starts another challenge: one followed by a scheme name and then a space or the end.
    [GeneratedRegex(@",\s*(?=(?:Bearer|DPoP)(?: |$))")]
    private static partial Regex SchemeStart();
}
