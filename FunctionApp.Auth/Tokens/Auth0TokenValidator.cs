using System.Collections.Frozen;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace FunctionApp.Auth;

/// <summary>
/// Checks a request's credentials against the Auth0 tenant: the scheme, then the token's JSON by System.Text.Json's
/// strict rules, its header, then IdentityModel's <see cref="JsonWebTokenHandler"/> with the token's domain's
/// <see cref="TokenValidationParameters"/> (lifetime, audience, issuer, then the signature), and last its binding: a
/// bearer token must be bound to no key, a DPoP token must come with a valid proof made with its key. Every input
/// gets an answer; none makes it throw.
/// </summary>
internal sealed class Auth0TokenValidator
{
    /// <summary>Larger tokens are refused before any parsing; Auth0 access tokens are a few kilobytes at most.</summary>
    public const int MaxTokenLength = 16 * 1024;

    private static readonly string[] NumericDates = ["exp", "nbf", "iat"];

    private readonly JsonWebTokenHandler _handler = new();
    private readonly IReadOnlyList<DomainSigningKeys> _domains;
    private readonly FrozenDictionary<string, DomainSigningKeys> _byIssuer;
    private readonly TokenValidationParameters _unknownIssuer;
    private readonly DPoPProofValidator _proofs;
    private readonly Auth0Options _options;
    private readonly TimeProvider _time;
    private readonly AccessTokenTelemetry _telemetry;

    public Auth0TokenValidator(
        IReadOnlyList<DomainSigningKeys> domains, DPoPProofValidator proofs, IOptions<Auth0Options> options, TimeProvider time, AccessTokenTelemetry telemetry)
    {
        ArgumentNullException.ThrowIfNull(domains);
        ArgumentNullException.ThrowIfNull(options);
        _domains = domains;
        _byIssuer = domains.ToFrozenDictionary(keys => keys.Domain.Issuer, StringComparer.Ordinal);
        _options = options.Value;
        _unknownIssuer = AccessTokenParameters.ForUnknownIssuer(_options, time);
        _proofs = proofs;
        _time = time;
        _telemetry = telemetry;
    }

    public async Task<AccessTokenResult> ValidateAsync(ProtectedRequest request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await CheckAsync(request, cancellationToken).ConfigureAwait(false);
        _telemetry.RecordValidation(Stopwatch.GetElapsedTime(started), result.IsVerified);
        return result;
    }

    private async Task<AccessTokenResult> CheckAsync(ProtectedRequest request, CancellationToken cancellationToken)
    {
        var rejection = ReadCredential(request.Authorization, out var scheme, out var credential);
        if (rejection is not null)
        {
            return AccessTokenResult.Rejected(rejection, scheme);
        }

        var verified = await VerifyTokenAsync(credential, scheme, cancellationToken).ConfigureAwait(false);
        if (!verified.IsVerified)
        {
            return verified;
        }

        // The token may come from the memory of verified tokens; the binding, and a DPoP token's proof, are checked on
        // every request.
        var token = verified.Token;
        rejection = (scheme, token.KeyThumbprint) switch
        {
            (CredentialScheme.Bearer, null) => null,
            (CredentialScheme.Bearer, _) => TokenRejection.BoundTokenAsBearer,
            (_, null) => TokenRejection.TokenNotBound,
            (_, var boundKey) => await _proofs.CheckAsync(request, credential.Span, boundKey, cancellationToken).ConfigureAwait(false),
        };
        return rejection is null ? verified : AccessTokenResult.Rejected(rejection, scheme, token.KeyId, verified.Issuer);
    }

    private async Task<AccessTokenResult> VerifyTokenAsync(ReadOnlyMemory<char> credential, CredentialScheme scheme, CancellationToken cancellationToken)
    {
        // A token seen before is found in the memory of the domain whose keys verified it: no parsing, no network. It
        // skips every check below, which it passed with these same keys and whose verdict only time can change: so its
        // exp is checked again, with the same skew as AccessTokenLifetime. Its binding, and a DPoP token's proof, are
        // checked on every request (CheckAsync).
        var now = _time.GetUtcNow().UtcDateTime;
        var token = credential.ToString();
        foreach (var domain in _domains)
        {
            if (domain.Current is { } current && current.Memory.TryGet(token, now - _options.ClockSkew, out var known))
            {
                _telemetry.RecordLookup(hit: true);
                return AccessTokenResult.Verified(known, domain.Domain.Issuer, scheme);
            }
        }

        _telemetry.RecordLookup(hit: false);
        if (!StrictJws.TryParse(token, out var header, out var payload, out var payloadJson))
        {
            return AccessTokenResult.Rejected(TokenRejection.Malformed, scheme);
        }

        using (header)
        using (payload)
        {
            var claims = payload!.RootElement;
            var kid = StrictJws.StringMember(header!.RootElement, "kid");
            var rejection = CheckHeader(header.RootElement, claims, kid);
            if (rejection is not null)
            {
                return AccessTokenResult.Rejected(rejection, scheme, kid);
            }

            var jwt = StrictAccessToken.TryCreate(token, payloadJson!, claims);
            if (jwt is null)
            {
                return AccessTokenResult.Rejected(TokenRejection.Malformed, scheme, kid);
            }

            // The token's iss picks its domain among the configured ones; only that domain's keys can verify it. A token
            // naming any other issuer is checked for what comes before the issuer (its lifetime), and never costs a fetch.
            if (!_byIssuer.TryGetValue(StrictJws.StringMember(claims, "iss") ?? string.Empty, out var keys))
            {
                var refused = await _handler.ValidateTokenAsync(jwt, _unknownIssuer).ConfigureAwait(false);
                return AccessTokenResult.Rejected(RejectionFor(refused.Exception), scheme, kid);
            }

            var (keySet, parameters) = keys.Latest();
            var result = await _handler.ValidateTokenAsync(jwt, parameters).ConfigureAwait(false);
            if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
            {
                // Every claim passed, and the keys lack the kid: a rotation, or a made-up kid (the refresh is throttled).
                var refreshed = await keys.RefreshAsync(keySet, cancellationToken).ConfigureAwait(false);
                if (refreshed is null)
                {
                    return AccessTokenResult.Rejected(TokenRejection.KeysUnavailable, scheme, kid, keys.Domain.Issuer);
                }

                keySet = refreshed;
                result = ReferenceEquals(refreshed.Parameters, parameters)
                    ? result
                    : await _handler.ValidateTokenAsync(jwt, refreshed.Parameters).ConfigureAwait(false);
            }

            // A cnf the API cannot check (a certificate, RFC 8705) would make it accept a token without its binding.
            var keyThumbprint = claims.TryGetProperty("cnf", out var cnf) && cnf.ValueKind == JsonValueKind.Object
                ? StrictJws.StringMember(cnf, "jkt") ?? string.Empty
                : null;
            rejection = !result.IsValid ? RejectionFor(result.Exception)
                : keyThumbprint == string.Empty ? TokenRejection.UnsupportedBinding
                : null;
            if (rejection is not null)
            {
                return AccessTokenResult.Rejected(rejection, scheme, kid, keys.Domain.Issuer);
            }

            var verified = new VerifiedAccessToken(jwt.PayloadJson, kid!, jwt.Expires!.Value, keyThumbprint);
            keySet!.Memory.Remember(token, verified);
            return AccessTokenResult.Verified(verified, keys.Domain.Issuer, scheme);
        }
    }

    // What IdentityModel's handler does not check, or checks later than the cheapest order wants: member types, the
    // algorithm allow-list, crit, and a kid to look the key up by.
    private TokenRejection? CheckHeader(JsonElement header, JsonElement claims, string? kid)
    {
        // A member of the wrong type, such as a kid that is a number or an exp that is a string, is malformed.
        if (!StrictJws.IsOrAbsent(header, "alg", JsonValueKind.String) || !StrictJws.IsOrAbsent(header, "kid", JsonValueKind.String)
            || !StrictJws.IsOrAbsent(claims, "iss", JsonValueKind.String) || !StrictJws.IsOrAbsent(claims, "cnf", JsonValueKind.Object)
            || (claims.TryGetProperty("cnf", out var cnf) && cnf.ValueKind == JsonValueKind.Object && !StrictJws.IsOrAbsent(cnf, "jkt", JsonValueKind.String))
            || !IsAudience(claims) || !NumericDates.All(date => StrictJws.IsNumericDateOrAbsent(claims, date)))
        {
            return TokenRejection.Malformed;
        }

        if (StrictJws.StringMember(header, "alg") is not { } alg || !_options.Algorithms.Contains(alg, StringComparer.Ordinal))
        {
            return TokenRejection.AlgorithmNotAllowed;
        }

        // RFC 7515 4.1.11: a recipient must refuse critical extensions it does not understand, and we understand none.
        if (header.TryGetProperty("crit", out _))
        {
            return TokenRejection.UnsupportedCriticalHeader;
        }

        return string.IsNullOrEmpty(kid) ? TokenRejection.NoMatchingKey : null;
    }

    // aud is a string, an array of strings, or null (RFC 7519 4.1.3).
    private static bool IsAudience(JsonElement claims) =>
        !claims.TryGetProperty("aud", out var aud)
        || aud.ValueKind is JsonValueKind.String or JsonValueKind.Null
        || (aud.ValueKind == JsonValueKind.Array && aud.EnumerateArray().All(a => a.ValueKind == JsonValueKind.String));

    // The handler reports the first check a token failed as IdentityModel's exception for it.
    private static TokenRejection RejectionFor(Exception? failure) => failure switch
    {
        SecurityTokenNoExpirationException => TokenRejection.NoExpiry,
        SecurityTokenExpiredException => TokenRejection.Expired,
        SecurityTokenNotYetValidException => TokenRejection.NotYetValid,
        SecurityTokenInvalidIssuerException => TokenRejection.InvalidIssuer,
        SecurityTokenInvalidAudienceException => TokenRejection.InvalidAudience,
        SecurityTokenSignatureKeyNotFoundException => TokenRejection.NoMatchingKey,
        SecurityTokenInvalidAlgorithmException => TokenRejection.AlgorithmNotAllowed,
        SecurityTokenMalformedException or ArgumentException => TokenRejection.Malformed,
        _ => TokenRejection.InvalidSignature,
    };

    // The scheme rules follow FastAPI's HTTPBearer, which the sample uses; DPoP (RFC 9449 7.1) is read the same way.
    private TokenRejection? ReadCredential(string? authorization, out CredentialScheme scheme, out ReadOnlyMemory<char> credential)
    {
        (scheme, credential) = (CredentialScheme.None, ReadOnlyMemory<char>.Empty);
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

        var name = value.Span[..space];
        var mode = _options.DPoPMode;
        if (name.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            scheme = CredentialScheme.Bearer;
            if (mode == DPoPMode.Required)
            {
                return TokenRejection.DPoPRequired;
            }
        }
        else if (mode != DPoPMode.Disabled && name.Equals("DPoP", StringComparison.OrdinalIgnoreCase))
        {
            scheme = CredentialScheme.DPoP;
        }
        else
        {
            return TokenRejection.InvalidCredentials;
        }

        return credential.Length > MaxTokenLength ? TokenRejection.TooLarge : null;
    }
}
