namespace FunctionApp.TestHost.Load;

/// <summary>One request of a load run and the answer it must get.</summary>
/// <param name="Path">The path and query, relative to the host's base address.</param>
/// <param name="Authorization">The Authorization header to send, or null for none.</param>
/// <param name="ExpectedStatus">The status a correct answer has.</param>
/// <param name="ExpectedBodyFragment">Text a correct answer's body contains.</param>
public sealed record LoadRequest(string Path, string? Authorization, int ExpectedStatus, string ExpectedBodyFragment);
