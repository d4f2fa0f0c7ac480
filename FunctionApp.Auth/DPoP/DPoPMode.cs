namespace FunctionApp.Auth;

/// <summary>Whether DPoP-bound access tokens (RFC 9449) are accepted (setting <c>Auth0__DPoPMode</c>).</summary>
public enum DPoPMode
{
    /// <summary>Bearer tokens only; the DPoP scheme is an unknown scheme. A token bound to a key is still refused.</summary>
    Disabled,

    /// <summary>Bearer tokens, and DPoP-bound tokens with the DPoP scheme and a valid proof; a bound token sent as Bearer is refused.</summary>
    Allowed,

    /// <summary>DPoP-bound tokens with a valid proof only; the Bearer scheme is refused.</summary>
    Required,
}
