namespace FunctionApp.Auth;

/// <summary>How the shared replay store signs in to Redis (setting <c>Auth0__DPoPReplayRedisIdentity</c>).</summary>
public enum DPoPReplayRedisIdentity
{
    /// <summary>As the configuration string says: no user, or its user and password.</summary>
    None,

    /// <summary>
    /// With a Microsoft Entra token of the app's managed identity, renewed before it expires (Azure Managed Redis, or
    /// Azure Cache for Redis, with access keys off).
    /// </summary>
    ManagedIdentity,
}
