using Microsoft.IdentityModel.JsonWebTokens;

namespace FunctionApp.Auth;

/// <summary>An access token whose signature, issuer, audience and lifetime have been verified.</summary>
public sealed class VerifiedAccessToken
{
    private readonly byte[] _payloadJson;

    public VerifiedAccessToken(JsonWebToken token, byte[] payloadJson)
    {
        Token = token ?? throw new ArgumentNullException(nameof(token));
        _payloadJson = payloadJson ?? throw new ArgumentNullException(nameof(payloadJson));
    }

    public JsonWebToken Token { get; }

    /// <summary>The payload exactly as the token carries it: a UTF-8 JSON object.</summary>
    public ReadOnlyMemory<byte> PayloadJson => _payloadJson;
}
