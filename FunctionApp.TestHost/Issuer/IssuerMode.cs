namespace FunctionApp.TestHost.Issuer;

/// <summary>How the local issuer answers its metadata and JWKS requests.</summary>
public enum IssuerMode
{
    /// <summary>Serves the OpenID configuration and the JWKS.</summary>
    Up,

    /// <summary>Answers every metadata request with 503, as an unreachable tenant would fail.</summary>
    Down,
}
