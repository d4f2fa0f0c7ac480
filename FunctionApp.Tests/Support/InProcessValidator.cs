using FunctionApp.Auth;
using FunctionApp.TestHost.Issuer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FunctionApp.Tests.Support;

/// <summary>
/// The app's validation services built in this process, as Program.cs builds them in the worker, against a real
/// local issuer on 127.0.0.1, with a clock the test can move.
/// </summary>
public sealed class InProcessValidator(Action<Dictionary<string, string>>? settings = null) : IAsyncLifetime
{
    private ServiceProvider? _services;

    public InProcessValidator()
        : this(null)
    {
    }

    public LocalIssuer Issuer { get; private set; } = null!;

    public ManualClock Clock { get; } = new();

    internal Auth0TokenValidator Validator => _services!.GetRequiredService<Auth0TokenValidator>();

    /// <summary>The one domain's key source: the local issuer's.</summary>
    internal DomainSigningKeys Keys => _services!.GetRequiredService<IReadOnlyList<DomainSigningKeys>>().Single();

    internal IOptions<Auth0Options> Options => _services!.GetRequiredService<IOptions<Auth0Options>>();

    internal ErrorContractAnswers Answers => _services!.GetRequiredService<ErrorContractAnswers>();

    internal AccessTokenTelemetry Telemetry => _services!.GetRequiredService<AccessTokenTelemetry>();

    internal DPoPNonces Nonces => _services!.GetRequiredService<DPoPNonces>();

    internal DPoPProofValidator Proofs => _services!.GetRequiredService<DPoPProofValidator>();

    internal DPoPReplayMemory Replays => _services!.GetRequiredService<DPoPReplayMemory>();

    /// <summary>The middleware over these services, as the worker runs it for functions marked in their own declarations.</summary>
    internal AccessTokenMiddleware Middleware(AccessTokenEvents? events = null, ILogger<AccessTokenMiddleware>? logger = null) => new(
        new ProtectedFunctions(requireByDefault: false), Validator, Nonces, Options, Answers, Telemetry, events ?? new AccessTokenEvents(),
        logger ?? NullLogger<AccessTokenMiddleware>.Instance);

    public async Task InitializeAsync()
    {
        Issuer = await LocalIssuer.StartAsync(AppFixture.Audience);
        _services = new ServiceCollection()
            .AddSingleton<TimeProvider>(Clock)
            .AddAuth0TokenValidation(Issuer.AppConfiguration(settings).GetSection("Auth0"))
            .BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        await Issuer.DisposeAsync();
    }

    /// <summary>For a test that needs services of its own, with changed settings: runs <paramref name="test"/> with them.</summary>
    public static async Task WithAsync(Action<Dictionary<string, string>> settings, Func<InProcessValidator, Task> test)
    {
        ArgumentNullException.ThrowIfNull(test);
        var app = new InProcessValidator(settings);
        await app.InitializeAsync();
        try
        {
            await test(app);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    internal Task<AccessTokenResult> ValidateAsync(string token) => Validator.ValidateAsync("Bearer " + token, CancellationToken.None);

    /// <summary>
    /// A clock that stands still unless the test moves it, or, with <see cref="TicksPerReading"/>, moves on by that much
    /// at each reading, so that concurrent readings straddle an instant; elapsed time is still measured for real.
    /// </summary>
    public sealed class ManualClock : TimeProvider
    {
        private long _ticks = DateTimeOffset.UtcNow.UtcTicks;

        public long TicksPerReading { get; set; }

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Add(ref _ticks, TicksPerReading), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

        /// <summary>Sets the clock to <paramref name="instant"/>.</summary>
        public void Set(DateTimeOffset instant) => Interlocked.Exchange(ref _ticks, instant.UtcTicks);

        /// <summary>Moves the clock to <paramref name="instant"/>, which may not be earlier than now.</summary>
        public void AdvanceTo(DateTimeOffset instant)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(instant, GetUtcNow());
            Set(instant);
        }
    }
}
