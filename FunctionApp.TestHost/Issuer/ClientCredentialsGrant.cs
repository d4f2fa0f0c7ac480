using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace FunctionApp.TestHost.Issuer;

/// <summary>
/// POST /oauth/token: the client-credentials grant, answered as Auth0 answers it, with its error codes; with a DPoP
/// proof, the token is bound to the proof's key (RFC 9449 5).
/// </summary>
public sealed class ClientCredentialsGrant(TokenMinter tokens, string audience, string clientId, Uri tokenEndpoint)
{
    public string ClientId => clientId;

    /// <summary>The check of the DPoP proofs sent with token requests.</summary>
    public DPoPProofCheck DPoP { get; } = new(HttpMethods.Post, tokenEndpoint);

    public string ClientSecret { get; } = RandomNumberGenerator.GetHexString(48, lowercase: true);

    /// <summary>The permissions the client is granted, as an Auth0 API grants them to a machine-to-machine application.</summary>
    public string GrantedScope { get; } = "read:messages";

    public async Task<IResult> IssueAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.HasFormContentType)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request", "Send the form fields grant_type, client_id, client_secret and audience.");
        }

        var form = await request.ReadFormAsync().ConfigureAwait(false);
        if (form["grant_type"] != "client_credentials")
        {
            return Error(StatusCodes.Status400BadRequest, "unsupported_grant_type", "Only client_credentials is supported.");
        }

        if (form["client_id"] != ClientId || !FixedTimeEquals(form["client_secret"].ToString(), ClientSecret))
        {
            return Error(StatusCodes.Status401Unauthorized, "access_denied", "Unauthorized");
        }

        if (form["audience"] != audience)
        {
            return Error(StatusCodes.Status403Forbidden, "access_denied", $"Service not enabled within domain: {form["audience"]}");
        }

        string? jkt = null;
        if (request.Headers.TryGetValue(DPoPProofCheck.HeaderName, out var proofs))
        {
            var proof = DPoP.Check(proofs);
            if (proof.Error is not null)
            {
                if (proof.Nonce is not null)
                {
                    request.HttpContext.Response.Headers[DPoPProofCheck.NonceHeaderName] = proof.Nonce;
                }

                return Error(StatusCodes.Status400BadRequest, proof.Error, proof.Description!);
            }

            jkt = proof.Jkt;
        }

        var payload = tokens.NewPayload();
        payload["scope"] = GrantedScope;
        if (jkt is not null)
        {
            payload["cnf"] = TokenMinter.Confirmation(jkt);
        }

        var expiresIn = (long)payload["exp"]! - (long)payload["iat"]!;
        return Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = tokens.Sign(tokens.NewHeader(), payload),
            ["scope"] = GrantedScope,
            ["expires_in"] = expiresIn,
            ["token_type"] = jkt is null ? "Bearer" : "DPoP",
        });
    }

    private static IResult Error(int status, string error, string description) =>
        Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: status);

    private static bool FixedTimeEquals(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
}
