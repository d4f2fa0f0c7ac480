using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FunctionApp.Auth;

/// <summary>An access token whose signature, issuer, audience and lifetime have been verified.</summary>
public sealed class VerifiedAccessToken
{
    private readonly Lazy<byte[]> _payloadJson;

    public VerifiedAccessToken(JsonWebToken token)
    {
        Token = token ?? throw new ArgumentNullException(nameof(token));
        _payloadJson = new Lazy<byte[]>(() => Base64UrlEncoder.DecodeBytes(token.EncodedPayload));
    }

    public JsonWebToken Token { get; }

    /// <summary>The payload exactly as the token carries it: a UTF-8 JSON object.</summary>
    public ReadOnlyMemory<byte> PayloadJson => _payloadJson.Value;
}
