using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace FunctionApp.Auth;

/// <summary>Checks an Authorization header against the Auth0 tenant: the scheme, then the token, then its claims and signature.</summary>
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
        var rejection = ReadBearerToken(authorization, out var credential);
        if (rejection is not null)
        {
            return AccessTokenResult.Rejected(rejection);
        }

        var keys = await _keys.GetAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow().UtcDateTime;
        if (keys is not null && keys.TryGetVerified(credential.Span, now - _settings.ClockSkew, out var known))
        {
            return AccessTokenResult.Verified(known);
        }

        var token = credential.ToString();
        byte[]? payloadJson = null;
        rejection = ReadJws(token, out var jwt) ?? CheckClaims(jwt!, now, out payloadJson);
        if (rejection is not null)
        {
            return AccessTokenResult.Rejected(rejection, jwt?.Kid);
        }

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

        return await VerifyAsync(token, jwt, payloadJson!, keys).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs every step of validation once before the first caller does, so that it pays neither for compiling the
    /// path nor for preparing each published key: a success with a throwaway key (when RS256 is allowed), and a
    /// signature check against each of <paramref name="keys"/> that is bound to fail. Nothing is remembered.
    /// </summary>
    public async Task WarmUpAsync(SigningKeys? keys)
    {
        await ValidateAsync(null, CancellationToken.None).ConfigureAwait(false);
        if (!_settings.Algorithms.Contains(SecurityAlgorithms.RsaSha256))
        {
            return;
        }

        var now = _time.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = _settings.Issuer,
            Audience = _settings.Audience,
            Expires = now.AddMinutes(1),
            // Claims of the shapes Auth0 puts in access tokens: strings, a space-separated scope, an array.
            Claims = new Dictionary<string, object>
            {
                ["sub"] = "warm-up@clients",
                ["azp"] = "warm-up",
                ["gty"] = "client-credentials",
                ["scope"] = "warm:up",
                ["permissions"] = new[] { "warm:up" },
            },
        };
        using var rsa = RSA.Create(2048);
        var throwaway = new RsaSecurityKey(rsa) { KeyId = "warm-up" };
        var configuration = new OpenIdConnectConfiguration();
        configuration.SigningKeys.Add(throwaway);
        descriptor.SigningCredentials = new SigningCredentials(throwaway, SecurityAlgorithms.RsaSha256);
        var sample = _handler.CreateToken(descriptor);
        await RunAsync(sample, new SigningKeys(configuration, _settings)).ConfigureAwait(false);

        // The sample's payload and signature under each published kid: the check fails, the key's provider stays ready.
        var payloadAndSignature = sample[sample.IndexOf('.', StringComparison.Ordinal)..];
        foreach (var published in keys?.Configuration.SigningKeys.Where(k => !string.IsNullOrEmpty(k.KeyId)) ?? [])
        {
            var header = Base64UrlEncoder.Encode($$"""{"alg":"RS256","kid":"{{published.KeyId}}"}""");
            await RunAsync(header + payloadAndSignature, keys!).ConfigureAwait(false);
        }

        async Task RunAsync(string token, SigningKeys with)
        {
            if ((ReadJws(token, out var jwt) ?? CheckClaims(jwt!, now, out _)) is null)
            {
                await _handler.ValidateTokenAsync(jwt!, with.Parameters).ConfigureAwait(false);
            }
        }
    }

    private async Task<AccessTokenResult> VerifyAsync(string token, JsonWebToken jwt, byte[] payloadJson, SigningKeys keys)
    {
        // IdentityModel checks the signature, then every claim again: CheckClaims only answers early, never instead.
        var result = await _handler.ValidateTokenAsync(jwt, keys.Parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return AccessTokenResult.Rejected(Classify(result.Exception), jwt.Kid);
        }

        var verified = new VerifiedAccessToken(jwt, payloadJson);
        keys.Remember(token, verified);
        return AccessTokenResult.Verified(verified);
    }

    // The scheme rules follow FastAPI's HTTPBearer, which the sample uses.
    private static TokenRejection? ReadBearerToken(string? authorization, out ReadOnlyMemory<char> credential)
    {
        credential = ReadOnlyMemory<char>.Empty;
        var value = authorization.AsMemory().Trim();
        var space = value.Span.IndexOf(' ');
        if (space <= 0)
        {
            return TokenRejection.NotAuthenticated;
        }

        credential = value[(space + 1)..].TrimStart(' ');
        if (credential.IsEmpty)
        {
            return TokenRejection.NotAuthenticated;
        }

        if (!value.Span[..space].Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return TokenRejection.InvalidCredentials;
        }

        return credential.Length > MaxTokenLength ? TokenRejection.TooLarge : null;
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

    // The claim rules, checked before the signature so that a token refused for its claims costs no RSA verify.
    private TokenRejection? CheckClaims(JsonWebToken jwt, DateTime now, out byte[]? payloadJson)
    {
        payloadJson = Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload);
        if (!DatesAreNumbers(payloadJson))
        {
            return TokenRejection.Malformed;
        }

        var skew = _settings.ClockSkew;
        return jwt switch
        {
            _ when !jwt.TryGetPayloadValue<object>(JwtRegisteredClaimNames.Exp, out _) => TokenRejection.NoExpiry,
            _ when jwt.ValidTo < now - skew => TokenRejection.Expired,
            // IdentityModel does not check iat; a token issued in the future is not yet valid, as PyJWT rules in the sample.
            _ when jwt.ValidFrom > now + skew || jwt.IssuedAt > now + skew => TokenRejection.NotYetValid,
            _ when !string.Equals(jwt.Issuer, _settings.Issuer, StringComparison.Ordinal) => TokenRejection.InvalidIssuer,
            _ when !jwt.Audiences.Contains(_settings.Audience, StringComparer.Ordinal) => TokenRejection.InvalidAudience,
            _ => null,
        };
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
