using System.Diagnostics.CodeAnalysis;

namespace FunctionApp.Auth;

/// <summary>The outcome of checking a request's credentials: either a verified token or the rejection to send.</summary>
internal readonly struct AccessTokenResult
{
    private AccessTokenResult(VerifiedAccessToken? token, TokenRejection? rejection, CredentialScheme scheme, string? keyId, string? issuer)
    {
        Token = token;
        Rejection = rejection;
        Scheme = scheme;
        KeyId = keyId;
        Issuer = issuer;
    }

    public VerifiedAccessToken? Token { get; }

    public TokenRejection? Rejection { get; }

    /// <summary>The scheme the request used, once it was one this API accepts: the challenge answers in it.</summary>
    public CredentialScheme Scheme { get; }

    /// <summary>The kid the caller's token named, if it could be read: the one token detail that is logged.</summary>
    public string? KeyId { get; }

    /// <summary>The configured issuer the token named, once its claims were read: never one nobody configured.</summary>
    public string? Issuer { get; }

    [MemberNotNullWhen(true, nameof(Token))]
    [MemberNotNullWhen(false, nameof(Rejection))]
    public bool IsVerified => Token is not null;

    public static AccessTokenResult Verified(VerifiedAccessToken token, string issuer, CredentialScheme scheme) =>
        new(token, null, scheme, token.KeyId, issuer);

    public static AccessTokenResult Rejected(
        TokenRejection rejection, CredentialScheme scheme = CredentialScheme.None, string? keyId = null, string? issuer = null) =>
        new(null, rejection, scheme, keyId, issuer);
}
