using System.Diagnostics.CodeAnalysis;

namespace FunctionApp.Auth;

/// <summary>The outcome of checking an Authorization header: either a verified token or the rejection to send.</summary>
internal readonly struct AccessTokenResult
{
    private AccessTokenResult(VerifiedAccessToken? token, TokenRejection? rejection, string? keyId, string? issuer)
    {
        Token = token;
        Rejection = rejection;
        KeyId = keyId;
        Issuer = issuer;
    }

    public VerifiedAccessToken? Token { get; }

    public TokenRejection? Rejection { get; }

    /// <summary>The kid the caller's token named, if it could be read: the one token detail that is logged.</summary>
    public string? KeyId { get; }

    /// <summary>The configured issuer the token named, once its claims were read: never one nobody configured.</summary>
    public string? Issuer { get; }

    [MemberNotNullWhen(true, nameof(Token))]
    [MemberNotNullWhen(false, nameof(Rejection))]
    public bool IsVerified => Token is not null;

    public static AccessTokenResult Verified(VerifiedAccessToken token, string issuer) => new(token, null, token.KeyId, issuer);

    public static AccessTokenResult Rejected(TokenRejection rejection, string? keyId = null, string? issuer = null) =>
        new(null, rejection, keyId, issuer);
}
