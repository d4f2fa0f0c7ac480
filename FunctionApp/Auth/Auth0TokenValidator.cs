using System.Buffers;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FunctionApp.Auth;

/// <summary>Checks an Authorization header against the Auth0 tenant: the scheme, then the token, then its claims.</summary>
public sealed class Auth0TokenValidator
{
    /// <summary>Larger tokens are refused before any parsing; Auth0 access tokens are a few kilobytes at most.</summary>
    public const int MaxTokenLength = 16 * 1024;

    // The characters of a compact JWS: three base64url segments joined by dots, no padding.
    private static readonly SearchValues<char> CompactJwsChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    private readonly SigningKeySource _keys;
    private readonly Auth0Settings _settings;
    private readonly TimeProvider _time;
    private readonly JsonWebTokenHandler _handler = new() { MaximumTokenSizeInBytes = MaxTokenLength };

    public Auth0TokenValidator(SigningKeySource keys, Auth0Settings settings, TimeProvider time)
    {
        _keys = keys;
        _settings = settings;
        _time = time;
    }

    public async Task<AccessTokenResult> ValidateAsync(string? authorization, CancellationToken cancellationToken)
    {
        var rejection = ReadBearerToken(authorization, out var token);
        if (rejection is not null)
        {
            return AccessTokenResult.Rejected(rejection);
        }

        rejection = ReadJws(token, out var jwt);
        if (rejection is not null)
        {
            return AccessTokenResult.Rejected(rejection, jwt?.Kid);
        }

        var keys = await _keys.GetAsync(cancellationToken).ConfigureAwait(false);
        if (keys is null)
        {
            return AccessTokenResult.Rejected(TokenRejection.KeysUnavailable, jwt!.Kid);
        }

        if (!keys.Contains(jwt!.Kid))
        {
            keys = await _keys.RefreshAsync(keys, cancellationToken).ConfigureAwait(false);
            if (keys is null || !keys.Contains(jwt.Kid))
            {
                return AccessTokenResult.Rejected(TokenRejection.NoMatchingKey, jwt.Kid);
            }
        }

        var result = await _handler.ValidateTokenAsync(jwt, keys.Parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return AccessTokenResult.Rejected(Classify(result.Exception), jwt.Kid);
        }

        var payloadJson = Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload);
        if (!DatesAreNumbers(payloadJson))
        {
            return AccessTokenResult.Rejected(TokenRejection.Malformed, jwt.Kid);
        }

        // IdentityModel does not check iat; a token issued in the future is not yet valid, as PyJWT rules in the sample.
        if (jwt.IssuedAt > _time.GetUtcNow().UtcDateTime + _settings.ClockSkew)
        {
            return AccessTokenResult.Rejected(TokenRejection.NotYetValid, jwt.Kid);
        }

        return AccessTokenResult.Verified(new VerifiedAccessToken(jwt, payloadJson));
    }

    // The scheme rules follow FastAPI's HTTPBearer, which the sample uses.
    private static TokenRejection? ReadBearerToken(string? authorization, out string token)
    {
        token = string.Empty;
        var value = authorization.AsSpan().Trim();
        var space = value.IndexOf(' ');
        if (space <= 0)
        {
            return TokenRejection.NotAuthenticated;
        }

        var credential = value[(space + 1)..].TrimStart(' ');
        if (credential.IsEmpty)
        {
            return TokenRejection.NotAuthenticated;
        }

        if (!value[..space].Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return TokenRejection.InvalidCredentials;
        }

        if (credential.Length > MaxTokenLength)
        {
            return TokenRejection.TooLarge;
        }

        token = credential.ToString();
        return null;
    }

    private TokenRejection? ReadJws(string token, out JsonWebToken? jwt)
    {
        jwt = null;
        // Exactly three segments: a five-segment JWE is refused here, never decrypted.
        if (token.AsSpan().ContainsAnyExcept(CompactJwsChars) || token.AsSpan().Count('.') != 2)
        {
            return TokenRejection.Malformed;
        }

        try
        {
            jwt = new JsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return TokenRejection.Malformed;
        }

        if (!_settings.Algorithms.Contains(jwt.Alg, StringComparer.Ordinal))
        {
            return TokenRejection.AlgorithmNotAllowed;
        }

        // RFC 7515 4.1.11: a recipient must refuse critical extensions it does not understand, and we understand none.
        if (jwt.TryGetHeaderValue<object>("crit", out _))
        {
            return TokenRejection.UnsupportedCriticalHeader;
        }

        return string.IsNullOrEmpty(jwt.Kid) ? TokenRejection.NoMatchingKey : null;
    }

    // RFC 7519 2: a NumericDate is a JSON number. IdentityModel also reads "exp": "1700000000", so look at the raw JSON.
    private static bool DatesAreNumbers(byte[] payloadJson)
    {
        var reader = new Utf8JsonReader(payloadJson);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isDate = reader.ValueTextEquals("exp"u8) || reader.ValueTextEquals("nbf"u8) || reader.ValueTextEquals("iat"u8);
            reader.Read();
            if (isDate && reader.TokenType != JsonTokenType.Number)
            {
                return false;
            }

            reader.Skip();
        }

        return true;
    }

    private static TokenRejection Classify(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => TokenRejection.Expired,
        SecurityTokenNotYetValidException => TokenRejection.NotYetValid,
        SecurityTokenNoExpirationException => TokenRejection.NoExpiry,
        SecurityTokenInvalidAudienceException => TokenRejection.InvalidAudience,
        SecurityTokenInvalidIssuerException => TokenRejection.InvalidIssuer,
        SecurityTokenSignatureKeyNotFoundException => TokenRejection.NoMatchingKey,
        SecurityTokenInvalidAlgorithmException => TokenRejection.AlgorithmNotAllowed,
        SecurityTokenInvalidSignatureException => TokenRejection.InvalidSignature,
        _ => TokenRejection.Malformed,
    };
}
