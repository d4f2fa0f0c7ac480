using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace FunctionApp.Auth;

/// <summary>
/// Checks the DPoP proof (RFC 9449 4.3) that comes with a DPoP-bound token, on every request: its shape and JSON, its
/// typ, alg and public jwk, that it was made for this request (htm, htu), recently (iat), for this token (ath), with the
/// token's key (cnf.jkt), with the server's nonce when nonces are on, its signature, and last that it was not used
/// before. Every input gets an answer; none makes it throw.
/// </summary>
internal sealed class DPoPProofValidator
{
    /// <summary>Larger proofs are refused before any parsing; an ES256 proof is about 600 characters, an RSA-4096 one 1,500.</summary>
    public const int MaxProofLength = 8 * 1024;

    private static readonly string[] NumericDates = ["iat"];

    private readonly DPoPPolicy _policy;
    private readonly DPoPNonces _nonces;
    private readonly DPoPReplayMemory _replays;
    private readonly ProofKeyCache _keys;
    private readonly TimeProvider _time;

    public DPoPProofValidator(AccessTokenPolicy policy, DPoPNonces nonces, DPoPReplayMemory replays, ProofKeyCache keys, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _policy = policy.DPoP;
        _nonces = nonces;
        _replays = replays;
        _keys = keys;
        _time = time;
    }

    /// <summary>Null when the request's proof is valid for <paramref name="accessToken"/>, bound to <paramref name="boundKey"/>.</summary>
    public TokenRejection? Check(in ProtectedRequest request, ReadOnlySpan<char> accessToken, string boundKey)
    {
        ArgumentNullException.ThrowIfNull(boundKey);
        var proof = request.Proof.AsSpan().Trim();
        // The host joins repeated headers with commas, which no compact JWS contains: RFC 9449 4.3 wants exactly one proof.
        byte[]? headerJson = null;
        byte[]? payloadJson = null;
        var rejection = proof.IsEmpty ? TokenRejection.MissingProof
            : proof.Contains(',') ? TokenRejection.SeveralProofs
            : proof.Length > MaxProofLength ? TokenRejection.ProofTooLarge
            : !JwsSegments.TryRead(proof, NumericDates, out headerJson, out payloadJson) ? TokenRejection.MalformedProof
            : null;
        if (rejection is not null)
        {
            return rejection;
        }

        using var header = JsonDocument.Parse(headerJson);
        using var payload = JsonDocument.Parse(payloadJson);
        var jti = default(string);
        var issuedAt = default(DateTimeOffset);
        rejection = CheckHeader(header.RootElement, out var algorithm, out var key)
            ?? CheckClaims(payload.RootElement, request, accessToken, out jti, out issuedAt);
        if (rejection is not null)
        {
            return rejection;
        }

        // The cheap comparison before the signature: a proof made with any key but the token's costs no verify.
        if (key!.Thumbprint != boundKey)
        {
            return TokenRejection.ProofKeyMismatch;
        }

        if (_nonces.Enabled)
        {
            var nonce = String(payload.RootElement, "nonce");
            if (nonce is null || !_nonces.IsValid(nonce))
            {
                return nonce is null ? TokenRejection.MissingNonce : TokenRejection.StaleNonce;
            }
        }

        var state = (Keys: _keys, Key: key, Algorithm: algorithm!);
        if (!JwsSegments.IsSignatureValid(proof.ToString(), state, static (state, input, inputLength, signature, signatureLength) =>
            state.Keys.Verify(state.Key, state.Algorithm, input.AsSpan(0, inputLength), signature.AsSpan(0, signatureLength))))
        {
            return TokenRejection.ProofSignature;
        }

        // Remembered only once it verified: nobody can use up another client's jti.
        return _replays.TryRemember(key.Thumbprint, jti!, issuedAt + _policy.ProofMaxAge) switch
        {
            DPoPReplayMemory.Outcome.Replayed => TokenRejection.ProofReplayed,
            DPoPReplayMemory.Outcome.Full => TokenRejection.ReplayMemoryFull,
            _ => null,
        };
    }

    private TokenRejection? CheckHeader(JsonElement header, out string? algorithm, out ProofKey? key)
    {
        (algorithm, key) = (null, null);
        if (String(header, "typ") != "dpop+jwt")
        {
            return TokenRejection.ProofType;
        }

        algorithm = String(header, "alg");
        if (algorithm is null || !_policy.Algorithms.Contains(algorithm, StringComparer.Ordinal))
        {
            return TokenRejection.ProofAlgorithm;
        }

        // RFC 7515 4.1.11: a recipient must refuse critical extensions it does not understand, and we understand none.
        if (header.TryGetProperty("crit", out _))
        {
            return TokenRejection.ProofCriticalHeader;
        }

        if (!header.TryGetProperty("jwk", out var jwk))
        {
            return TokenRejection.ProofKey;
        }

        if (ProofKey.HasPrivateMembers(jwk))
        {
            return TokenRejection.ProofPrivateKey;
        }

        key = ProofKey.TryRead(jwk, algorithm);
        return key is null ? TokenRejection.ProofKey : null;
    }

    private TokenRejection? CheckClaims(
        JsonElement payload, in ProtectedRequest request, ReadOnlySpan<char> accessToken, out string? jti, out DateTimeOffset issuedAt)
    {
        jti = String(payload, "jti");
        issuedAt = default;
        if (String(payload, "htm") is not { } method || !string.Equals(method, request.Method, StringComparison.Ordinal))
        {
            return TokenRejection.ProofMethod;
        }

        if (String(payload, "htu") is not { } url || !ProofTarget.Matches(url, request, _policy))
        {
            return TokenRejection.ProofUrl;
        }

        // The strict reader has made sure an iat is a number from 0 to year 9999.
        if (!payload.TryGetProperty("iat", out var iat))
        {
            return TokenRejection.ProofNoIssuedAt;
        }

        issuedAt = DateTimeOffset.UnixEpoch.AddSeconds(iat.GetDouble());
        var now = _time.GetUtcNow();
        if (issuedAt < now - _policy.ProofMaxAge)
        {
            return TokenRejection.ProofTooOld;
        }

        if (issuedAt > now + _policy.ClockSkew)
        {
            return TokenRejection.ProofFromFuture;
        }

        if (string.IsNullOrEmpty(jti))
        {
            return TokenRejection.ProofNoId;
        }

        return String(payload, "ath") == TokenHash(accessToken) ? null : TokenRejection.ProofTokenHash;
    }

    // RFC 9449 4.2: ath is the base64url SHA-256 of the ASCII access token.
    private static string TokenHash(ReadOnlySpan<char> accessToken)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var bytes = new byte[accessToken.Length];
        Encoding.ASCII.GetBytes(accessToken, bytes);
        SHA256.HashData(bytes, hash);
        return Base64Url.EncodeToString(hash);
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
