using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FunctionApp.Auth;

/// <summary>
/// An access token as IdentityModel reads it, with what the strict reading (<see cref="StrictJws"/>) found and
/// IdentityModel rounds or leaves out: its NumericDates exactly, fractions included, and its payload's bytes as signed.
/// </summary>
internal sealed class StrictAccessToken : JsonWebToken
{
    private StrictAccessToken(string token, byte[] payloadJson, JsonElement claims)
        : base(token)
    {
        PayloadJson = payloadJson;
        Expires = DateOf(claims, "exp");
        NotBefore = DateOf(claims, "nbf");
        IssuedAt = DateOf(claims, "iat");
    }

    /// <summary>The payload exactly as the token carries it.</summary>
    public byte[] PayloadJson { get; }

    /// <summary>Its exp, exactly.</summary>
    public DateTime? Expires { get; }

    /// <summary>Its nbf, exactly.</summary>
    public DateTime? NotBefore { get; }

    /// <summary>Its iat, exactly.</summary>
    public new DateTime? IssuedAt { get; }

    /// <summary>
    /// The token, or null when IdentityModel cannot read what the strict reading accepted (a header member it reads
    /// as a string, such as cty, of another type): the two would disagree about what the token says.
    /// </summary>
    public static StrictAccessToken? TryCreate(string token, byte[] payloadJson, JsonElement claims)
    {
        try
        {
            return new StrictAccessToken(token, payloadJson, claims);
        }
        catch (Exception failure) when (failure is ArgumentException or Microsoft.IdentityModel.Tokens.SecurityTokenMalformedException)
        {
            return null;
        }
    }

    // The strict reading has made sure a date is a number from 0 to the year 9999.
    private static DateTime? DateOf(JsonElement claims, string name) =>
        claims.TryGetProperty(name, out var seconds) ? DateTime.UnixEpoch.AddSeconds(seconds.GetDouble()) : null;
}
