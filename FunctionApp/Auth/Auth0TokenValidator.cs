using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace FunctionApp.Auth;

/// <summary>
/// Checks an Authorization header against the Auth0 tenant: the scheme, then the token's shape and JSON, its claims,
/// and last its signature. Every input gets an answer; none makes it throw.
/// </summary>
internal sealed class Auth0TokenValidator
{
    /// <summary>Larger tokens are refused before any parsing; Auth0 access tokens are a few kilobytes at most.</summary>
    public const int MaxTokenLength = 16 * 1024;

    // The characters of a compact JWS: three base64url segments joined by dots, no padding.
    private static readonly SearchValues<char> CompactJwsChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    private static readonly string[] NumericDates = ["exp", "nbf", "iat"];

    private readonly SigningKeySources _keys;
    private readonly AccessTokenPolicy _policy;
    private readonly TimeProvider _time;
    private readonly AccessTokenTelemetry _telemetry;

    public Auth0TokenValidator(SigningKeySources keys, AccessTokenPolicy policy, TimeProvider time, AccessTokenTelemetry telemetry)
    {
        _keys = keys;
        _policy = policy;
        _time = time;
        _telemetry = telemetry;
    }

    public async Task<AccessTokenResult> ValidateAsync(string? authorization, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await CheckAsync(authorization, cancellationToken).ConfigureAwait(false);
        _telemetry.RecordValidation(Stopwatch.GetElapsedTime(started), result.IsVerified);
        return result;
    }

    private async Task<AccessTokenResult> CheckAsync(string? authorization, CancellationToken cancellationToken)
    {
        var rejection = ReadBearerToken(authorization, out var credential);
        if (rejection is not null)
        {
            return AccessTokenResult.Rejected(rejection);
        }

        // A token seen before is found in the memory of the domain whose keys verified it: no parsing, no network.
        var now = _time.GetUtcNow().UtcDateTime;
        foreach (var source in _keys.All)
        {
            if (source.Current is { } current && current.Memory.TryGet(credential.Span, now - _policy.ClockSkew, out var known))
            {
                _telemetry.RecordLookup(hit: true);
                return AccessTokenResult.Verified(known, source.Domain.Issuer);
            }
        }

        _telemetry.RecordLookup(hit: false);
        var token = credential.ToString();
        Auth0Domain? domain = null;
        var expires = default(DateTime);
        rejection = ReadJws(token, out var alg, out var kid, out var payloadJson) ?? CheckClaims(payloadJson!, now, out domain, out expires);
        if (rejection is not null)
        {
            return AccessTokenResult.Rejected(rejection, kid, domain?.Issuer);
        }

        // The token's iss picked its domain among the configured ones; only that domain's keys can verify it.
        _keys.TryGet(domain!.Issuer, out var keySource);
        var keys = await keySource.GetAsync(cancellationToken).ConfigureAwait(false);
        if (keys is null)
        {
            return AccessTokenResult.Rejected(TokenRejection.KeysUnavailable, kid, domain.Issuer);
        }

        if (keys.Find(kid!, alg!) is null)
        {
            keys = await keySource.RefreshAsync(keys, cancellationToken).ConfigureAwait(false);
            if (keys?.Find(kid!, alg!) is null)
            {
                return AccessTokenResult.Rejected(TokenRejection.NoMatchingKey, kid, domain.Issuer);
            }
        }

        return Verify(token, alg!, kid!, payloadJson!, expires, keys, domain);
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
        var payload = Base64Url.EncodeToString(Json(writer =>
        {
            writer.WriteString("iss", domain.Issuer);
            writer.WriteString("sub", "warm-up@clients");
            writer.WriteString("aud", _policy.Audiences[0]);
            writer.WriteNumber("exp", exp);
            writer.WriteString("scope", "warm:up");
        }));
        var signature = Base64Url.EncodeToString(new byte[256]);
        foreach (var (keyId, keyType) in keys.KeyIds)
        {
            var alg = _policy.Algorithms.FirstOrDefault(a => SigningKeys.KeyTypeFor(a) == keyType);
            if (alg is null)
            {
                continue;
            }

            var header = Base64Url.EncodeToString(Json(writer =>
            {
                writer.WriteString("alg", alg);
                writer.WriteString("kid", keyId);
            }));
            var token = $"{header}.{payload}.{signature}";
            if ((ReadJws(token, out _, out _, out var payloadJson) ?? CheckClaims(payloadJson!, _time.GetUtcNow().UtcDateTime, out _, out _)) is null
                && keys.Find(keyId, alg) is { } key)
            {
                IsSignatureValid(token, keys.VerifierFor(key, alg));
            }
        }
    }

    private static AccessTokenResult Verify(
        string token, string alg, string kid, byte[] payloadJson, DateTime expires, SigningKeys keys, Auth0Domain domain)
    {
        // The claims were checked before the signature (CheckClaims), on this same parsed token; what is left is the
        // signature, by IdentityModel's own provider for the key and alg, kept with the keys (SigningKeys.VerifierFor).
        var key = keys.Find(kid, alg)!;
        if (!IsSignatureValid(token, keys.VerifierFor(key, alg)))
        {
            return AccessTokenResult.Rejected(TokenRejection.InvalidSignature, kid, domain.Issuer);
        }

        var verified = new VerifiedAccessToken(payloadJson, key.KeyId, expires);
        keys.Memory.Remember(token, verified);
        return AccessTokenResult.Verified(verified, domain.Issuer);
    }

    // The JWS signature (RFC 7515 5.2) over the ASCII of header.payload, decoded from the token's last segment. A
    // signature segment that is empty or no base64url fails like a wrong one.
    private static bool IsSignatureValid(string token, SignatureProvider? verifier)
    {
        var lastDot = token.LastIndexOf('.');
        var signatureText = token.AsSpan(lastDot + 1);
        if (verifier is null || signatureText.IsEmpty || !Base64Url.IsValid(signatureText))
        {
            return false;
        }

        var input = ArrayPool<byte>.Shared.Rent(lastDot);
        var signature = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength(signatureText.Length));
        try
        {
            var inputLength = Encoding.ASCII.GetBytes(token.AsSpan(0, lastDot), input);
            return Base64Url.TryDecodeFromChars(signatureText, signature, out var signatureLength)
                && verifier.Verify(input, 0, inputLength, signature, 0, signatureLength);
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<byte>.Shared.Return(signature);
        }
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

    // One strict reader for header and payload, and only it: each part exactly one JSON object without duplicate
    // members, so no two readers can ever disagree about what the token says.
    private TokenRejection? ReadJws(string token, out string? alg, out string? kid, out byte[]? payloadJson)
    {
        (alg, kid, payloadJson) = (null, null, null);
        var span = token.AsSpan();
        var firstDot = span.IndexOf('.');
        var lastDot = span.LastIndexOf('.');
        // Exactly three segments, header and payload not empty: a five-segment JWE is refused here, never decrypted.
        if (span.ContainsAnyExcept(CompactJwsChars) || span.Count('.') != 2 || firstDot == 0 || lastDot == firstDot + 1)
        {
            return TokenRejection.Malformed;
        }

        var header = TryDecode(span[..firstDot]);
        payloadJson = TryDecode(span[(firstDot + 1)..lastDot]);
        if (header is null || payloadJson is null
            || !StrictJson.IsStrictObject(header, []) || !StrictJson.IsStrictObject(payloadJson, NumericDates)
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
    private TokenRejection? CheckClaims(byte[] payloadJson, DateTime now, out Auth0Domain? domain, out DateTime expires)
    {
        (domain, expires) = (null, default);
        if (!StrictJson.TryReadClaims(payloadJson, out var exp, out var nbf, out var iat, out var iss, out var audiences))
        {
            return TokenRejection.Malformed;
        }

        domain = iss is null ? null : _policy.DomainOf(iss);
        expires = DateTime.UnixEpoch.AddSeconds(exp ?? 0);
        var skew = _policy.ClockSkew;
        return exp switch
        {
            null => TokenRejection.NoExpiry,
            _ when expires < now - skew => TokenRejection.Expired,
            // A token issued in the future is not yet valid, as PyJWT rules in the sample.
            _ when (nbf is { } notBefore && DateTime.UnixEpoch.AddSeconds(notBefore) > now + skew)
                || (iat is { } issuedAt && DateTime.UnixEpoch.AddSeconds(issuedAt) > now + skew) => TokenRejection.NotYetValid,
            _ when domain is null => TokenRejection.InvalidIssuer,
            _ when !audiences.Exists(audience => _policy.Audiences.Contains(audience, StringComparer.Ordinal)) => TokenRejection.InvalidAudience,
            _ => null,
        };
    }

    private static byte[]? TryDecode(ReadOnlySpan<char> segment)
    {
        // TryDecodeFromChars returns false only for a destination too small; a segment that is no base64url, such as
        // one of 4n+1 characters, makes it throw.
        if (!Base64Url.IsValid(segment))
        {
            return null;
        }

        var bytes = new byte[Base64Url.GetMaxDecodedLength(segment.Length)];
        // The maximum is exact for the unpadded segments that reach here, so the copy is the exception.
        return !Base64Url.TryDecodeFromChars(segment, bytes, out var written) ? null
            : written == bytes.Length ? bytes
            : bytes[..written];
    }

    private static byte[] Json(Action<Utf8JsonWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
