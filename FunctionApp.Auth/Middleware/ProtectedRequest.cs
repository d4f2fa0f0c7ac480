namespace FunctionApp.Auth;

/// <summary>
/// What a request to a protected function shows to be checked: its Authorization header and, for a DPoP proof, its
/// DPoP header, method and URL, and the forwarded headers a proof's htu may be compared against.
/// </summary>
/// <param name="Authorization">The Authorization header, repeated values joined by commas.</param>
/// <param name="Proof">The DPoP header, repeated values joined by commas.</param>
/// <param name="Method">The request method.</param>
/// <param name="Url">The request URL as the Functions host reports it.</param>
/// <param name="ForwardedProto">X-Forwarded-Proto, used only when a setting trusts it.</param>
/// <param name="ForwardedHost">X-Forwarded-Host, used only when a setting trusts it.</param>
internal readonly record struct ProtectedRequest(
    string? Authorization, string? Proof, string Method, Uri? Url, string? ForwardedProto = null, string? ForwardedHost = null);
