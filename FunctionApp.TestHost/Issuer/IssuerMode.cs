namespace FunctionApp.TestHost.Issuer;

/// <summary>How the local issuer answers its metadata and JWKS requests.</summary>
public enum IssuerMode
{
    /// <summary>Serves the OpenID configuration and the JWKS.</summary>
    Up,

    /// <summary>Answers every metadata request with 503, as a failing tenant would.</summary>
    Down,

    /// <summary>Accepts metadata requests and never answers them while the mode lasts.</summary>
    Unresponsive,

    /// <summary>Holds metadata requests until the mode changes, then answers them as the new mode says: a slow tenant, as slow as a test needs.</summary>
    Held,

    /// <summary>Answers metadata requests with 200 and an HTML page.</summary>
    Html,

    /// <summary>Serves a JWKS that holds no keys.</summary>
    NoKeys,
}
