namespace FunctionApp.Auth;

/// <summary>The Authorization scheme a request used, once it is one this API accepts.</summary>
internal enum CredentialScheme
{
    /// <summary>No credentials, or a scheme that is not accepted.</summary>
    None,

    Bearer,

    /// <summary>RFC 9449: a DPoP-bound token, with a proof in the DPoP header.</summary>
    DPoP,
}
