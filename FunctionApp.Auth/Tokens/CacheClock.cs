using Microsoft.Extensions.Internal;

namespace FunctionApp.Auth;

/// <summary>The app's <see cref="TimeProvider"/> as the clock <see cref="Microsoft.Extensions.Caching.Memory.MemoryCache"/> reads.</summary>
internal sealed class CacheClock(TimeProvider time) : ISystemClock
{
    public DateTimeOffset UtcNow => time.GetUtcNow();
}
