namespace FunctionApp.Auth;

/// <summary>The claims of an access token that validation reads (<see cref="StrictJson.TryReadClaims"/>).</summary>
internal struct RegisteredClaims
{
    public double? Expires;
    public double? NotBefore;
    public double? IssuedAt;
    public string? Issuer;
    public List<string> Audiences;

    /// <summary>True when the token has a cnf claim: it is bound to something its bearer must prove to hold.</summary>
    public bool IsBound;

    /// <summary>The cnf.jkt: the thumbprint of the DPoP key the token is bound to.</summary>
    public string? KeyThumbprint;
}
