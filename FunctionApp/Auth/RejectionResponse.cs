using System.Net;

namespace FunctionApp.Auth;

/// <summary>The exact HTTP answer to one rejection under one error contract, built once and reused.</summary>
/// <param name="Status">The status code.</param>
/// <param name="Body">The UTF-8 JSON body.</param>
/// <param name="Challenge">The WWW-Authenticate value, or null for none.</param>
/// <param name="RetryLater">True when the fault is the server's, sent with Retry-After.</param>
public sealed record RejectionResponse(HttpStatusCode Status, ReadOnlyMemory<byte> Body, string? Challenge, bool RetryLater);
