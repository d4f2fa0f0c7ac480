using System.Buffers.Text;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace FunctionApp.Auth;

/// <summary>
/// Checks a request's credentials against the Auth0 tenant: the scheme, then the token's shape and JSON, its claims,
/// its signature, and last its binding: a bearer token must be bound to no key, a DPoP token must come with a valid
/// proof made with its key. Every input gets an answer; none makes it throw.
/// </summary>
internal sealed class Auth0TokenValidator
{
    /// <summary>Larger tokens are refused before any parsing; Auth0 access tokens are a few kilobytes at most.</summary>
    public const int MaxTokenLength = 16 * 1024;

    private static readonly string[] NumericDates = ["exp", "nbf", "iat"];

    private readonly SigningKeySources _keys;
    private readonly DPoPProofValidator _proofs;
    private readonly AccessTokenPolicy _policy;
    private readonly TimeProvider _time;
    private readonly AccessTokenTelemetry _telemetry;

    public Auth0TokenValidator(
        SigningKeySources keys, DPoPProofValidator proofs, AccessTokenPolicy policy, TimeProvider time, AccessTokenTelemetry telemetry)
    {
        _keys = keys;
        _proofs = proofs;
        _policy = policy;
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
        // skips the shape, algorithm, claim and signature checks below, which it passed with these same keys and whose
        // verdict only time can change: so its exp is checked again, as in CheckClaims. Its binding, and a DPoP token's
        // proof, are checked on every request (CheckAsync).
        var now = _time.GetUtcNow().UtcDateTime;
        var token = credential.ToString();
        foreach (var source in _keys.All)
        {
            if (source.Current is { } current && current.Memory.TryGet(token, now - _policy.ClockSkew, out var known))
            {
                _telemetry.RecordLookup(hit: true);
                return AccessTokenResult.Verified(known, source.Domain.Issuer, scheme);
            }
        }

        _telemetry.RecordLookup(hit: false);
        var claims = default(RegisteredClaims);
        Auth0Domain? domain = null;
        var rejection = ReadJws(token, out var alg, out var kid, out var payloadJson) ?? CheckClaims(payloadJson!, now, out claims, out domain);
        if (rejection is not null)
        {
            return AccessTokenResult.Rejected(rejection, scheme, kid, domain?.Issuer);
        }

        // The token's iss picked its domain among the configured ones; only that domain's keys can verify it.
        _keys.TryGet(domain!.Issuer, out var keySource);
        var keys = await keySource.GetAsync(cancellationToken).ConfigureAwait(false);
        if (keys is null)
        {
            return AccessTokenResult.Rejected(TokenRejection.KeysUnavailable, scheme, kid, domain.Issuer);
        }

        if (keys.Find(kid!, alg!) is null)
        {
            keys = await keySource.RefreshAsync(keys, cancellationToken).ConfigureAwait(false);
            if (keys?.Find(kid!, alg!) is null)
            {
                return AccessTokenResult.Rejected(TokenRejection.NoMatchingKey, scheme, kid, domain.Issuer);
            }
        }

        // The claims were checked before the signature (CheckClaims), on this same parsed token; what is left is the
        // signature, by IdentityModel's own provider for the key and alg, kept with the keys (SigningKeys.VerifierFor).
        var key = keys.Find(kid!, alg!)!;
        if (!IsSignatureValid(token, keys.VerifierFor(key, alg!)))
        {
            return AccessTokenResult.Rejected(TokenRejection.InvalidSignature, scheme, kid, domain.Issuer);
        }

        var verified = new VerifiedAccessToken(payloadJson!, key.KeyId, DateTime.UnixEpoch.AddSeconds(claims.Expires!.Value), claims.KeyThumbprint);
        keys.Memory.Remember(token, verified);
        return AccessTokenResult.Verified(verified, domain.Issuer, scheme);
    }

    /// <summary>
    /// Runs the whole path once for each published key before the first caller does, with a token that passes every
    /// check but the signature, so the first caller pays neither for compiling the path nor for preparing the key.
    /// Needs no key of its own; nothing is remembered.
    /// </summary>
    public void WarmUp(Auth0Domain domain, SigningKeys keys)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(keys);
        var exp = _time.GetUtcNow().AddMinutes(1).ToUnixTimeSeconds();
        var payload = JwsSegments.Encode(writer =>
        {
            writer.WriteString("iss", domain.Issuer);
            writer.WriteString("sub", "warm-up@clients");
            writer.WriteString("aud", _policy.Audiences[0]);
            writer.WriteNumber("exp", exp);
            writer.WriteString("scope", "warm:up");
        });
        var signature = Base64Url.EncodeToString(new byte[256]);
        foreach (var (keyId, keyType) in keys.KeyIds)
        {
            var alg = _policy.Algorithms.FirstOrDefault(a => SigningKeys.KeyTypeFor(a) == keyType);
            if (alg is null)
            {
                continue;
            }

            var header = JwsSegments.Encode(writer =>
            {
                writer.WriteString("alg", alg);
                writer.WriteString("kid", keyId);
            });
            var token = $"{header}.{payload}.{signature}";
            if ((ReadJws(token, out _, out _, out var payloadJson) ?? CheckClaims(payloadJson!, _time.GetUtcNow().UtcDateTime, out _, out _)) is null
                && keys.Find(keyId, alg) is { } key)
            {
                IsSignatureValid(token, keys.VerifierFor(key, alg));
            }
        }
    }

    private static bool IsSignatureValid(string token, SignatureProvider? verifier) =>
        verifier is not null && JwsSegments.IsSignatureValid(token, verifier, static (verifier, input, inputLength, signature, signatureLength) =>
            verifier.Verify(input, 0, inputLength, signature, 0, signatureLength));

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
        var mode = _policy.DPoP.Mode;
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

    // One strict reader for header and payload, and only it: each part exactly one JSON object without duplicate
    // members, so no two readers can ever disagree about what the token says.
    private TokenRejection? ReadJws(string token, out string? alg, out string? kid, out byte[]? payloadJson)
    {
        (alg, kid) = (null, null);
        if (!JwsSegments.TryRead(token, NumericDates, out var header, out payloadJson)
            || !StrictJson.TryReadHeader(header, out alg, out kid, out var critical))
        {
            // A header member of the wrong type, such as a kid that is a number, is malformed too.
            return TokenRejection.Malformed;
        }

        if (alg is null || !_policy.Algorithms.Contains(alg, StringComparer.Ordinal))
        {
            return TokenRejection.AlgorithmNotAllowed;
        }

        // RFC 7515 4.1.11: a recipient must refuse critical extensions it does not understand, and we understand none.
        if (critical)
        {
            return TokenRejection.UnsupportedCriticalHeader;
        }

        return string.IsNullOrEmpty(kid) ? TokenRejection.NoMatchingKey : null;
    }

    // The claim rules: the one check of each claim, made before the signature so that a token refused for its claims
    // costs no RSA verify. The iss picks the domain: an issuer nobody configured is refused here, before any network call.
    private TokenRejection? CheckClaims(byte[] payloadJson, DateTime now, out RegisteredClaims claims, out Auth0Domain? domain)
    {
        domain = null;
        if (!StrictJson.TryReadClaims(payloadJson, out claims))
        {
            return TokenRejection.Malformed;
        }

        domain = claims.Issuer is { } iss ? _policy.DomainOf(iss) : null;
        var skew = _policy.ClockSkew;
        var audiences = claims.Audiences;
        return claims switch
        {
            { Expires: null } => TokenRejection.NoExpiry,
            // RFC 7519 4.1.4: valid only before exp; at exp (plus the skew) the token has expired.
            { Expires: var exp } when DateTime.UnixEpoch.AddSeconds(exp.Value) <= now - skew => TokenRejection.Expired,
            // A token issued in the future is not yet valid, as PyJWT rules in the sample.
            { NotBefore: { } nbf } when DateTime.UnixEpoch.AddSeconds(nbf) > now + skew => TokenRejection.NotYetValid,
            { IssuedAt: { } iat } when DateTime.UnixEpoch.AddSeconds(iat) > now + skew => TokenRejection.NotYetValid,
            _ when domain is null => TokenRejection.InvalidIssuer,
            _ when !audiences.Exists(audience => _policy.Audiences.Contains(audience, StringComparer.Ordinal)) => TokenRejection.InvalidAudience,
            // A cnf the API cannot check (a certificate, RFC 8705) would make it accept a token without its binding.
            { IsBound: true, KeyThumbprint: null } => TokenRejection.UnsupportedBinding,
            _ => null,
        };
    }
}
