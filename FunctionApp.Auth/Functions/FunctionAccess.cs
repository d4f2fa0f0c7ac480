namespace FunctionApp.Auth;

/// <summary>
/// Who may call one function, read from its own declaration: anyone, only callers whose token meets a requirement, or
/// nobody, because its declaration could not be read or honoured.
/// </summary>
internal sealed class FunctionAccess
{
    private FunctionAccess(AccessRequirement? requirement, string? error)
    {
        Requirement = requirement;
        Error = error;
    }

    public static FunctionAccess Anonymous { get; } = new(null, null);

    /// <summary>What a caller's verified token must meet; null for a function anyone may call or nobody may.</summary>
    public AccessRequirement? Requirement { get; }

    /// <summary>Why the function may not run at all; null when its declaration was read and can be honoured.</summary>
    public string? Error { get; }

    public static FunctionAccess Protected(AccessRequirement requirement) => new(requirement, null);

    public static FunctionAccess Refused(string error) => new(null, error);
}
