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

    // The P-256 base point (SEC 2, 2.4.2): a valid public key anybody can name, for the warm-up's proof.
    private static readonly string BasePointX = Base64Url.EncodeToString(Convert.FromHexString("6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"));
    private static readonly string BasePointY = Base64Url.EncodeToString(Convert.FromHexString("4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5"));

    private readonly DPoPPolicy _policy;
    private readonly DPoPNonces _nonces;
    private readonly IDPoPReplayStore _replays;
    private readonly ProofKeyCache _keys;
    private readonly TimeProvider _time;

    public DPoPProofValidator(AccessTokenPolicy policy, DPoPNonces nonces, IDPoPReplayStore replays, ProofKeyCache keys, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _policy = policy.DPoP;
        _nonces = nonces;
        _replays = replays;
        _keys = keys;
        _time = time;
    }

    /// <summary>Null when the request's proof is valid for <paramref name="accessToken"/>, bound to <paramref name="boundKey"/>.</summary>
    public ValueTask<TokenRejection?> CheckAsync(
        in ProtectedRequest request, ReadOnlySpan<char> accessToken, string boundKey, CancellationToken cancellationToken)
    {
        var rejection = CheckProof(request, accessToken, boundKey, out var accepted);
        return rejection is null ? RememberAsync(accepted, cancellationToken) : ValueTask.FromResult<TokenRejection?>(rejection);
    }

    // Every check but the replay store's, which may have to wait on the network; what to remember once they all passed.
    private TokenRejection? CheckProof(in ProtectedRequest request, ReadOnlySpan<char> accessToken, string boundKey, out AcceptedProof accepted)
    {
        ArgumentNullException.ThrowIfNull(boundKey);
        accepted = default;
        var proof = request.Proof.AsSpan().Trim();
        byte[]? headerJson = null;
        byte[]? payloadJson = null;
        // The host joins repeated headers with commas, which no compact JWS contains: RFC 9449 4.3 wants exactly one proof.
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
        // One reading of the clock for every time check of this proof: its age, its nonce's and the replay memory's.
        var now = _time.GetUtcNow();
        rejection = CheckHeader(header.RootElement, out var algorithm, out var key)
            ?? CheckClaims(payload.RootElement, request, accessToken, now, out jti, out issuedAt);
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
            var nonce = StrictJson.StringMember(payload.RootElement, "nonce");
            if (nonce is null || !_nonces.IsValid(nonce, now))
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

        // The age check accepts the proof through iat + max age inclusive, so the store keeps it through that instant.
        accepted = new AcceptedProof(key.Thumbprint, jti!, issuedAt + _policy.ProofMaxAge, now);
        return null;
    }

    // Remembered only once it verified: nobody can use up another client's jti.
    private async ValueTask<TokenRejection?> RememberAsync(AcceptedProof proof, CancellationToken cancellationToken) =>
        await _replays.TryRememberAsync(proof.Thumbprint, proof.Jti, proof.LastAcceptable, proof.Now, cancellationToken).ConfigureAwait(false) switch
        {
            DPoPReplayOutcome.Replayed => TokenRejection.ProofReplayed,
            DPoPReplayOutcome.Full => TokenRejection.ReplayMemoryFull,
            DPoPReplayOutcome.Unavailable => TokenRejection.ReplayStoreUnavailable,
            _ => null,
        };

    /// <summary>
    /// Runs the whole check once before the first DPoP caller does, with an ES256 proof that passes every check but its
    /// signature (all zeros), so that caller does not pay for compiling the path; returns the check's answer, the
    /// signature's rejection when the whole path ran. Nothing is remembered as accepted. Does nothing (null) when DPoP
    /// is disabled or ES256 is not allowed.
    /// </summary>
    public TokenRejection? WarmUp()
    {
        if (_policy.Mode == DPoPMode.Disabled || !_policy.Algorithms.Contains("ES256", StringComparer.Ordinal))
        {
            return null;
        }

        const string Path = "/api/warm-up";
        const string Token = "warm.up.token";
        var url = new Uri("https://warm-up.invalid" + Path);
        using var jwk = JsonDocument.Parse($$"""{"kty":"EC","crv":"P-256","x":"{{BasePointX}}","y":"{{BasePointY}}"}""");
        var header = JwsSegments.Encode(writer =>
        {
            writer.WriteString("typ", "dpop+jwt");
            writer.WriteString("alg", "ES256");
            writer.WritePropertyName("jwk");
            jwk.RootElement.WriteTo(writer);
        });
        var payload = JwsSegments.Encode(writer =>
        {
            writer.WriteString("jti", "warm-up");
            writer.WriteString("htm", "GET");
            writer.WriteString("htu", _policy.PublicBaseUrls.Count > 0 ? _policy.PublicBaseUrls[0].AbsoluteUri.TrimEnd('/') + Path : url.AbsoluteUri);
            writer.WriteNumber("iat", _time.GetUtcNow().ToUnixTimeSeconds());
            writer.WriteString("ath", TokenHash(Token));
            if (_nonces.Enabled)
            {
                writer.WriteString("nonce", _nonces.Current());
            }
        });
        var proof = $"{header}.{payload}.{Base64Url.EncodeToString(new byte[64])}";
        return CheckProof(new ProtectedRequest("DPoP " + Token, proof, "GET", url), Token, ProofKey.TryRead(jwk.RootElement, "ES256")!.Thumbprint, out _);
    }

    private TokenRejection? CheckHeader(JsonElement header, out string? algorithm, out ProofKey? key)
    {
        (algorithm, key) = (null, null);
        if (StrictJson.StringMember(header, "typ") != "dpop+jwt")
        {
            return TokenRejection.ProofType;
        }

        algorithm = StrictJson.StringMember(header, "alg");
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
        JsonElement payload, in ProtectedRequest request, ReadOnlySpan<char> accessToken, DateTimeOffset now, out string? jti, out DateTimeOffset issuedAt)
    {
        jti = StrictJson.StringMember(payload, "jti");
        issuedAt = default;
        if (StrictJson.StringMember(payload, "htm") is not { } method || !string.Equals(method, request.Method, StringComparison.Ordinal))
        {
            return TokenRejection.ProofMethod;
        }

        if (StrictJson.StringMember(payload, "htu") is not { } url || !ProofTarget.Matches(url, request, _policy))
        {
            return TokenRejection.ProofUrl;
        }

        // The strict reader has made sure an iat is a number from 0 to year 9999.
        if (!payload.TryGetProperty("iat", out var iat))
        {
            return TokenRejection.ProofNoIssuedAt;
        }

        issuedAt = DateTimeOffset.UnixEpoch.AddSeconds(iat.GetDouble());
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

        return StrictJson.StringMember(payload, "ath") == TokenHash(accessToken) ? null : TokenRejection.ProofTokenHash;
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
