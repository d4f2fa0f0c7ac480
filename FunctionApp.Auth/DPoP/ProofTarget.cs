using System.Globalization;
using System.Text;

namespace FunctionApp.Auth;

/// <summary>
/// Whether a proof's htu names the URL its request was sent to (RFC 9449 4.3, check 9): both compared without query
/// and fragment after RFC 3986 normalisation (scheme and host case, default port, dot segments, percent-encoding).
/// </summary>
internal static class ProofTarget
{
    /// <summary>
    /// True when <paramref name="htu"/> names the request's URL: the one the Functions host reports, or, when set, one of
    /// the public base URLs with the request's path, or the forwarded scheme and host when they are trusted.
    /// </summary>
    public static bool Matches(string htu, in ProtectedRequest request, Auth0Options options)
    {
        ArgumentNullException.ThrowIfNull(htu);
        ArgumentNullException.ThrowIfNull(options);
        // Uri.TryCreate trims white space and control characters around a URL; a URL has none, so neither may htu.
        if (request.Url is not { IsAbsoluteUri: true } url || htu.AsSpan().ContainsAnyInRange('\0', ' ')
            || !Uri.TryCreate(htu, UriKind.Absolute, out var claimed)
            || Normalize(claimed) is not { } target)
        {
            return false;
        }

        if (options.DPoPPublicBaseUris.Count > 0)
        {
            // A base URL may carry a path, for a gateway that serves the API under a prefix of its own.
            return options.DPoPPublicBaseUris.Any(baseUrl =>
                Uri.TryCreate(baseUrl.GetLeftPart(UriPartial.Authority) + baseUrl.AbsolutePath.TrimEnd('/') + url.AbsolutePath, UriKind.Absolute, out var expected)
                && target == Normalize(expected));
        }

        if (options.DPoPTrustForwardedHeaders && Forwarded(url, request.ForwardedProto, request.ForwardedHost) is { } forwarded)
        {
            return target == Normalize(forwarded);
        }

        return target == Normalize(url);
    }

    // The URL as the client saw it, from the first (client-most) value of each forwarded header; null when they are unusable.
    private static Uri? Forwarded(Uri url, string? proto, string? host)
    {
        var scheme = First(proto) ?? url.Scheme;
        var authority = First(host) ?? url.Authority;
        return scheme is "http" or "https" && Uri.TryCreate($"{scheme}://{authority}{url.AbsolutePath}", UriKind.Absolute, out var forwarded)
            && forwarded.AbsolutePath == url.AbsolutePath
            ? forwarded
            : null;
    }

    private static string? First(string? header) =>
        string.IsNullOrWhiteSpace(header) ? null : header.Split(',')[0].Trim().ToLowerInvariant();

    // Scheme-based and syntax-based normalisation (RFC 3986 6.2.2, 6.2.3): System.Uri lowercases scheme and host, drops
    // the default port, removes dot segments and decodes percent-encoded unreserved characters; the hex digits of
    // what stays encoded are made uppercase here. A URL with user information names no request.
    private static string? Normalize(Uri uri)
    {
        if (uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0)
        {
            return null;
        }

        var host = uri.HostNameType == UriHostNameType.Dns ? uri.IdnHost : uri.Host;
        var text = new StringBuilder(uri.Scheme).Append("://").Append(host.ToLowerInvariant());
        if (!uri.IsDefaultPort)
        {
            text.Append(':').Append(uri.Port.ToString(CultureInfo.InvariantCulture));
        }

        var path = uri.AbsolutePath;
        for (var i = 0; i < path.Length; i++)
        {
            text.Append(i >= 1 && path[i - 1] == '%' || i >= 2 && path[i - 2] == '%' ? char.ToUpperInvariant(path[i]) : path[i]);
        }

        return text.ToString();
    }
}
