namespace FunctionApp.Auth;

/// <summary>What a protected function requires of a verified token: the permissions it must grant.</summary>
internal sealed class AccessRequirement
{
    public AccessRequirement(IReadOnlyList<string> permissions)
    {
        ArgumentNullException.ThrowIfNull(permissions);
        Permissions = permissions;
        Scope = string.Join(' ', permissions);
    }

    public IReadOnlyList<string> Permissions { get; }

    /// <summary>The permissions as a space-separated scope, as RFC 6750 names them in a challenge.</summary>
    public string Scope { get; }

    public bool IsSatisfiedBy(VerifiedAccessToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        foreach (var permission in Permissions)
        {
            if (!token.Grants(permission))
            {
                return false;
            }
        }

        return true;
    }
}
