using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Auth;

/// <summary>
/// A request's URL, read without throwing: the worker parses the URL the host hands over only when it is first asked
/// for, and throws when it does not parse (the genuine host never hands over such a URL, another host may).
/// </summary>
internal static class RequestUrl
{
    /// <summary>The request's URL, or null when it does not parse.</summary>
    public static Uri? Of(HttpRequestData request)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return request.Url;
        }
        catch (UriFormatException)
        {
            return null;
        }
    }
}
