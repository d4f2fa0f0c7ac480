using System.Text.Json.Nodes;

namespace FunctionApp.TestHost.Issuer;

/// <summary>Mints access tokens as Auth0 would for the local issuer, and lets tests make any other token too.</summary>
public sealed class TokenMinter(IssuerKeySet keys, string issuer, string audience, string clientId)
{
    /// <summary>A header for an RS256 token signed with the current key (or <paramref name="key"/>).</summary>
    public JsonObject NewHeader(IssuerKey? key = null) => new() { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = (key ?? keys.SigningKey).Id };

    /// <summary>The claims Auth0 puts in a client-credentials access token, valid for an hour from now.</summary>
    public JsonObject NewPayload()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iss"] = issuer,
            ["sub"] = clientId + "@clients",
            ["aud"] = audience,
            ["iat"] = now,
            ["exp"] = now + 3600,
            ["azp"] = clientId,
            ["gty"] = "client-credentials",
        };
    }

    /// <summary>Signs the given header and payload with the current key (or <paramref name="key"/>).</summary>
    public string Sign(JsonObject header, JsonObject payload, IssuerKey? key = null) =>
        CompactJws.SignRsa(header, payload, (key ?? keys.SigningKey).Rsa);

    /// <summary>Signs header and payload JSON text exactly as given (valid JSON or not) with the current key, RS256.</summary>
    public string SignText(string headerJson, string payloadJson) => CompactJws.SignRsa(headerJson, payloadJson, "RS256", keys.SigningKey.Rsa);

    /// <summary>
    /// A valid access token for the default audience, signed with the current key; with <paramref name="keyId"/>, its
    /// header names that kid instead, published or not.
    /// </summary>
    public string CreateToken(string? keyId = null)
    {
        var header = NewHeader();
        if (keyId is not null)
        {
            header["kid"] = keyId;
        }

        return Sign(header, NewPayload());
    }

    /// <summary>A valid access token bound to the DPoP key whose RFC 7638 thumbprint is <paramref name="jkt"/> (RFC 9449 6.1).</summary>
    public string CreateBoundToken(string jkt)
    {
        var payload = NewPayload();
        payload["cnf"] = Confirmation(jkt);
        return Sign(NewHeader(), payload);
    }

    /// <summary>The cnf claim of a token bound to the DPoP key with thumbprint <paramref name="jkt"/>.</summary>
    public static JsonObject Confirmation(string jkt) => new() { ["jkt"] = jkt };
}
