namespace FunctionApp.Auth;

/// <summary>How rejections are answered (setting <c>Auth0__ErrorContract</c>).</summary>
public enum ErrorContract
{
    /// <summary>The sample's answers: 403 <c>{"detail":...}</c> without a usable credential, 400 <c>{"status":"error","msg":...}</c> for a bad token.</summary>
    Sample,

    /// <summary>RFC 6750: 401 for a missing or invalid token, 403 only for insufficient scope, <c>{"error":...,"error_description":...}</c> bodies.</summary>
    Rfc6750,
}
