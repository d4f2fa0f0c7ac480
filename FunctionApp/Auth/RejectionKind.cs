namespace FunctionApp.Auth;

/// <summary>The classes of rejection that decide the status code and challenge under each error contract.</summary>
public enum RejectionKind
{
    /// <summary>No Authorization header, or no credential in it.</summary>
    MissingCredentials,

    /// <summary>A scheme other than Bearer.</summary>
    WrongScheme,

    /// <summary>A bearer token that failed verification.</summary>
    InvalidToken,

    /// <summary>A valid token that lacks a permission the function requires.</summary>
    InsufficientScope,

    /// <summary>No signing keys could be had: the server's fault.</summary>
    KeysUnavailable,
}
