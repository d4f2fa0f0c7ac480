namespace FunctionApp.Auth;

/// <summary>A function's declaration that the protection cannot honour, found as the worker starts.</summary>
internal sealed class FunctionDeclarationException(string message) : InvalidOperationException(message);
