using System.Net;

namespace FunctionApp.Auth;

/// <summary>
/// Reads the URLs of the settings, for <see cref="Auth0OptionsValidator"/> to check them and <see cref="Auth0Options"/>
/// to use them: null for one that is not acceptable.
/// </summary>
internal static class SettingUrls
{
    /// <summary>The base address, ending in a slash, of an entry of <c>Auth0__Domain</c>: a host name or an https:// address with no path.</summary>
    public static Uri? Authority(string domain)
    {
        var text = domain.Contains("://", StringComparison.Ordinal) ? domain : "https://" + domain;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            return null;
        }

        return IsSecureOrLoopback(uri) ? new Uri(uri.GetLeftPart(UriPartial.Authority) + "/") : null;
    }

    /// <summary>An entry of <c>Auth0__DPoPPublicBaseUrl</c>: an absolute https:// URL, which may carry a path, with no query.</summary>
    public static Uri? PublicBaseUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            return null;
        }

        return IsSecureOrLoopback(uri) ? uri : null;
    }

    // Plain HTTP only for local tests and demos.
    private static bool IsSecureOrLoopback(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri));

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback && (uri.HostNameType != UriHostNameType.Dns || uri.Host == "localhost")
        || (IPAddress.TryParse(uri.Host, out var address) && IPAddress.IsLoopback(address));
}
