namespace FunctionApp.Auth;

/// <summary>The outcome of checking an Authorization header: a verified token, or the rejection to send.</summary>
public readonly record struct AccessTokenResult(VerifiedAccessToken? Token, TokenRejection? Rejection, string? KeyId)
{
    public static AccessTokenResult Verified(VerifiedAccessToken token) => new(token, null, token.Token.Kid);

    public static AccessTokenResult Rejected(TokenRejection rejection, string? keyId = null) => new(null, rejection, keyId);
}
