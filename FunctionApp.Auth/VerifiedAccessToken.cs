using System.Collections.Frozen;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FunctionApp.Auth;

/// <summary>An access token whose signature, issuer, audience and lifetime have been verified; immutable once built.</summary>
public sealed class VerifiedAccessToken
{
    private readonly byte[] _payloadJson;
    private FrozenSet<string>? _permissions;

    /// <param name="payloadJson">The payload as signed: one JSON object, already checked to have no duplicate members.</param>
    /// <param name="keyId">The kid of the key that verified it.</param>
    /// <param name="expires">Its exp.</param>
    /// <param name="keyThumbprint">Its cnf.jkt, if it is bound to a DPoP key.</param>
    internal VerifiedAccessToken(byte[] payloadJson, string keyId, DateTime expires, string? keyThumbprint = null)
    {
        _payloadJson = payloadJson;
        KeyId = keyId;
        Expires = expires;
        KeyThumbprint = keyThumbprint;
    }

    /// <summary>The payload exactly as the token carries it: a UTF-8 JSON object.</summary>
    public ReadOnlyMemory<byte> PayloadJson => _payloadJson;

    /// <summary>When the token expires (its exp, UTC).</summary>
    public DateTime Expires { get; }

    /// <summary>
    /// The RFC 7638 thumbprint of the key the token is bound to (its cnf.jkt), or null for a bearer token. A bound token
    /// is only ever handed to a function with a DPoP proof made with that key.
    /// </summary>
    public string? KeyThumbprint { get; }

    /// <summary>True when the token is DPoP-bound: whoever sent it proved they hold the key <see cref="KeyThumbprint"/> names.</summary>
    public bool IsSenderConstrained => KeyThumbprint is not null;

    internal string KeyId { get; }

    /// <summary>
    /// A new principal for the caller, every claim under its name in the token (sub stays sub), one claim per array
    /// element. New on each call: a verified token is shared by the requests that carry it.
    /// </summary>
    public ClaimsPrincipal ToClaimsPrincipal()
    {
        // Read on demand: the memory of verified tokens keeps only the payload bytes, not parsed claims.
        var claims = new JsonWebToken("{}", Encoding.UTF8.GetString(_payloadJson)).Claims;
        return new(new ClaimsIdentity(claims, authenticationType: IsSenderConstrained ? "DPoP" : "Bearer", nameType: "sub", roleType: "permissions"));
    }

    /// <summary>True when the token grants <paramref name="permission"/> in its scope claim or its permissions array.</summary>
    public bool Grants(string permission) => (_permissions ??= ReadPermissions(_payloadJson)).Contains(permission);

    private static FrozenSet<string> ReadPermissions(byte[] payloadJson)
    {
        var granted = new HashSet<string>(StringComparer.Ordinal);
        using var payload = JsonDocument.Parse(payloadJson);
        if (payload.RootElement.TryGetProperty("scope", out var scope) && scope.ValueKind == JsonValueKind.String)
        {
            granted.UnionWith(scope.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }

        if (payload.RootElement.TryGetProperty("permissions", out var permissions) && permissions.ValueKind == JsonValueKind.Array)
        {
            granted.UnionWith(permissions.EnumerateArray()
                .Where(p => p.ValueKind == JsonValueKind.String)
                .Select(p => p.GetString()!));
        }

        return granted.ToFrozenSet(StringComparer.Ordinal);
    }
}
