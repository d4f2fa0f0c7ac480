using Microsoft.IdentityModel.Tokens;

namespace FunctionApp.Auth;

/// <summary>
/// A proof that passed every check but its signature and the replay store's: what verifies it, what the store is to
/// remember, and until when.
/// </summary>
internal readonly record struct AcceptedProof(
    string Proof, JsonWebKey Key, string Algorithm, string Thumbprint, string Jti, DateTimeOffset LastAcceptable, DateTimeOffset Now);
