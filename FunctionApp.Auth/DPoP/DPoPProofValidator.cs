using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FunctionApp.Auth;

/// <summary>
/// Checks the DPoP proof (RFC 9449 4.3) that comes with a DPoP-bound token, on every request: its shape and JSON, its
/// typ, alg and public jwk, that it was made for this request (htm, htu), recently (iat), for this token (ath), with the
/// token's key (cnf.jkt), with the server's nonce when nonces are on, its signature (by IdentityModel's
/// <see cref="JsonWebTokenHandler"/>, with the jwk as a <see cref="JsonWebKey"/>), and last that it was not used
/// before. Every input gets an answer; none makes it throw.
/// </summary>
internal sealed class DPoPProofValidator
{
    /// <summary>Larger proofs are refused before any parsing; an ES256 proof is about 600 characters, an RSA-4096 one 1,500.</summary>
    public const int MaxProofLength = 8 * 1024;

    private readonly Auth0Options _options;
    private readonly DPoPNonces _nonces;
    private readonly IDPoPReplayStore _replays;
    private readonly JsonWebTokenHandler _handler = new();
    private readonly TimeProvider _time;

    public DPoPProofValidator(IOptions<Auth0Options> options, DPoPNonces nonces, IDPoPReplayStore replays, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _nonces = nonces;
        _replays = replays;
        _time = time;
    }

    /// <summary>Null when the request's proof is valid for <paramref name="accessToken"/>, bound to <paramref name="boundKey"/>.</summary>
    public ValueTask<TokenRejection?> CheckAsync(
        in ProtectedRequest request, ReadOnlySpan<char> accessToken, string boundKey, CancellationToken cancellationToken)
    {
        var rejection = CheckProof(request, accessToken, boundKey, out var accepted);
        return rejection is null ? VerifyAndRememberAsync(accepted, cancellationToken) : ValueTask.FromResult<TokenRejection?>(rejection);
    }

    // Every check but the signature and the replay store's, which may have to wait; what to verify and remember after.
    private TokenRejection? CheckProof(in ProtectedRequest request, ReadOnlySpan<char> accessToken, string boundKey, out AcceptedProof accepted)
    {
        ArgumentNullException.ThrowIfNull(boundKey);
        accepted = default;
        var proof = request.Proof.AsSpan().Trim();
        JsonDocument? header = null;
        JsonDocument? payload = null;
        // The host joins repeated headers with commas, which no compact JWS contains: RFC 9449 4.3 wants exactly one proof.
        var rejection = proof.IsEmpty ? TokenRejection.MissingProof
            : proof.Contains(',') ? TokenRejection.SeveralProofs
            : proof.Length > MaxProofLength ? TokenRejection.ProofTooLarge
            : !StrictJws.TryParse(proof, out header, out payload) || !StrictJws.IsNumericDateOrAbsent(payload!.RootElement, "iat") ? TokenRejection.MalformedProof
            : null;
        using (header)
        using (payload)
        {
            return rejection ?? CheckProof(request, proof.ToString(), header!.RootElement, payload!.RootElement, accessToken, boundKey, out accepted);
        }
    }

    private TokenRejection? CheckProof(
        in ProtectedRequest request, string proof, JsonElement header, JsonElement payload, ReadOnlySpan<char> accessToken, string boundKey, out AcceptedProof accepted)
    {
        accepted = default;
        var jti = default(string);
        var issuedAt = default(DateTimeOffset);
        // One reading of the clock for every time check of this proof: its age, its nonce's and the replay memory's.
        var now = _time.GetUtcNow();
        var rejection = CheckHeader(header, out var algorithm, out var key)
            ?? CheckClaims(payload, request, accessToken, now, out jti, out issuedAt);
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
            var nonce = StrictJws.StringMember(payload, "nonce");
            if (nonce is null || !_nonces.IsValid(nonce, now))
            {
                return nonce is null ? TokenRejection.MissingNonce : TokenRejection.StaleNonce;
            }
        }

        // The age check accepts the proof through iat + max age inclusive, so the store keeps it through that instant.
        accepted = new AcceptedProof(proof, key.Key, algorithm!, key.Thumbprint, jti!, issuedAt + _options.DPoPProofMaxAge, now);
        return null;
    }

    // IdentityModel's handler verifies the signature with the proof's own jwk; every other check was made before, so it
    // is told to make none of its own. Remembered only once it verified: nobody can use up another client's jti.
    private async ValueTask<TokenRejection?> VerifyAndRememberAsync(AcceptedProof proof, CancellationToken cancellationToken)
    {
        var parameters = new TokenValidationParameters
        {
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            ValidAlgorithms = [proof.Algorithm],
            IssuerSigningKeyResolver = (_, _, _, _) => [proof.Key],
            TryAllIssuerSigningKeys = false,
            RequireSignedTokens = true,
        };
        if (ReadProof(proof.Proof) is not { } jwt)
        {
            return TokenRejection.MalformedProof;
        }

        if (!(await _handler.ValidateTokenAsync(jwt, parameters).ConfigureAwait(false)).IsValid)
        {
            return TokenRejection.ProofSignature;
        }

        return await _replays.TryRememberAsync(proof.Thumbprint, proof.Jti, proof.LastAcceptable, proof.Now, cancellationToken).ConfigureAwait(false) switch
        {
            DPoPReplayOutcome.Replayed => TokenRejection.ProofReplayed,
            DPoPReplayOutcome.Full => TokenRejection.ReplayMemoryFull,
            DPoPReplayOutcome.Unavailable => TokenRejection.ReplayStoreUnavailable,
            _ => null,
        };
    }

    // The strict reading has passed, so IdentityModel's should too; if not, the two disagree about the proof.
    private static JsonWebToken? ReadProof(string proof)
    {
        try
        {
            return new JsonWebToken(proof);
        }
        catch (Exception failure) when (failure is ArgumentException or SecurityTokenMalformedException)
        {
            return null;
        }
    }

    private TokenRejection? CheckHeader(JsonElement header, out string? algorithm, out ProofKey? key)
    {
        (algorithm, key) = (null, null);
        if (StrictJws.StringMember(header, "typ") != "dpop+jwt")
        {
            return TokenRejection.ProofType;
        }

        algorithm = StrictJws.StringMember(header, "alg");
        if (algorithm is null || !_options.DPoPAlgorithms.Contains(algorithm, StringComparer.Ordinal))
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
        JsonElement payload, in ProtectedRequest request, ReadOnlySpan<char> accessToken, DateTimeOffset now, out string? jti, out DateTimeOffset issuedAt)
    {
        jti = StrictJws.StringMember(payload, "jti");
        issuedAt = default;
        if (StrictJws.StringMember(payload, "htm") is not { } method || !string.Equals(method, request.Method, StringComparison.Ordinal))
        {
            return TokenRejection.ProofMethod;
        }

        if (StrictJws.StringMember(payload, "htu") is not { } url || !ProofTarget.Matches(url, request, _options))
        {
            return TokenRejection.ProofUrl;
        }

        // The strict reader has made sure an iat is a number from 0 to year 9999.
        if (!payload.TryGetProperty("iat", out var iat))
        {
            return TokenRejection.ProofNoIssuedAt;
        }

        issuedAt = DateTimeOffset.UnixEpoch.AddSeconds(iat.GetDouble());
        if (issuedAt < now - _options.DPoPProofMaxAge)
        {
            return TokenRejection.ProofTooOld;
        }

        if (issuedAt > now + _options.ClockSkew)
        {
            return TokenRejection.ProofFromFuture;
        }

        if (string.IsNullOrEmpty(jti))
        {
            return TokenRejection.ProofNoId;
        }

        return StrictJws.StringMember(payload, "ath") == TokenHash(accessToken) ? null : TokenRejection.ProofTokenHash;
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
}
