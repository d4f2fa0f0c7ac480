namespace FunctionApp.Auth;

/// <summary>A proof that passed every check but the replay store's: what the store is to remember, and until when.</summary>
internal readonly record struct AcceptedProof(string Thumbprint, string Jti, DateTimeOffset LastAcceptable, DateTimeOffset Now);
