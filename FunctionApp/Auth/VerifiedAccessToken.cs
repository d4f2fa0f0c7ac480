using System.Collections.Frozen;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FunctionApp.Auth;

/// <summary>An access token whose signature, issuer, audience and lifetime have been verified; immutable once built.</summary>
public sealed class VerifiedAccessToken
{
    private readonly byte[] _payloadJson;
    private FrozenSet<string>? _permissions;

    public VerifiedAccessToken(JsonWebToken token, byte[] payloadJson)
    {
        Token = token ?? throw new ArgumentNullException(nameof(token));
        _payloadJson = payloadJson ?? throw new ArgumentNullException(nameof(payloadJson));
    }

    public JsonWebToken Token { get; }

    /// <summary>The payload exactly as the token carries it: a UTF-8 JSON object.</summary>
    public ReadOnlyMemory<byte> PayloadJson => _payloadJson;

    /// <summary>
    /// A new principal for the caller, every claim under its name in the token (sub stays sub), one claim per array
    /// element. New on each call: a verified token is shared by the requests that carry it.
    /// </summary>
    public ClaimsPrincipal ToClaimsPrincipal() =>
        new(new ClaimsIdentity(Token.Claims, authenticationType: "Bearer", nameType: "sub", roleType: "permissions"));

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
