using System.Collections.Concurrent;
using System.Globalization;
using FunctionApp.Auth;
using FunctionApp.TestHost.Issuer;
using FunctionApp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace FunctionApp.Tests.Auth;

/// <summary>
/// The validator in process against a real <see cref="LocalIssuer"/>, with settings of its own (RS256 and PS256
/// allowed, a 30-second skew), a clock that stands still, and the tokens of <see cref="TokenVerdictGen"/>.
/// </summary>
public sealed class VerdictFixture : IAsyncLifetime
{
    public const string Audience = "https://verdict.test/api";

    private static readonly string[] Algorithms = ["RS256", "PS256"];
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private LocalIssuer _issuer = null!;
    private ServiceProvider _services = null!;

    public InProcessValidator.ManualClock Clock { get; } = new();

    public TokenVerdictGen Gen { get; private set; } = null!;

    internal Auth0TokenValidator Validator { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _issuer = await LocalIssuer.StartAsync(Audience);
        // Half a second past a whole second: the generated dates are whole or quarter seconds, so none falls on the edge
        // of a rule itself, and every case is plainly on one side of each.
        Clock.AdvanceTo(DateTimeOffset.FromUnixTimeSeconds(Clock.GetUtcNow().ToUnixTimeSeconds() + 1).AddMilliseconds(500));
        _services = new ServiceCollection()
            .AddSingleton<TimeProvider>(Clock)
            .AddAuth0TokenValidation(_issuer.AppConfiguration(settings =>
            {
                settings["Auth0__Algorithms"] = string.Join(',', Algorithms);
                settings["Auth0__ClockSkewSeconds"] = ClockSkew.TotalSeconds.ToString(CultureInfo.InvariantCulture);
            }).GetSection("Auth0"))
            .BuildServiceProvider();
        Validator = _services.GetRequiredService<Auth0TokenValidator>();
        Gen = new TokenVerdictGen(_issuer, new TenantRules(_issuer.Issuer, Audience, _issuer.SigningKey.Id, _issuer.SigningKey.StatedAlgorithm, Algorithms, ClockSkew, Clock.GetUtcNow()));
        // Fetches the keys, so no case pays for that and every case meets the same key set.
        if (!(await Validator.ValidateAsync("Bearer " + _issuer.CreateToken(), CancellationToken.None)).IsVerified)
        {
            throw new InvalidOperationException("A token of the local issuer did not verify.");
        }
    }

    public async Task DisposeAsync()
    {
        Gen.Dispose();
        await _services.DisposeAsync();
        await _issuer.DisposeAsync();
    }
}

/// <summary>
/// The validator's verdict on generated tokens, most signed with the tenant's real key, against the verdict of
/// <see cref="TenantRules"/>, which reads only the generated header and claims and the settings. Each run tries the same
/// cases, drawn from a fixed seed (<see cref="FixedSeedProperty"/>). Reproduce one input with
/// <c>CsCheck_Seed=&lt;seed&gt; dotnet test FunctionApp.Tests --filter "FullyQualifiedName~TokenVerdictProperties"</c>.
/// </summary>
[Collection(nameof(TokenValidatorProperties))]
public sealed class TokenVerdictProperties : IClassFixture<VerdictFixture>
{
    /// <summary>
    /// 20,000 cases, from the seed <c>Auth0Verdicts</c>: a token is signed for nearly every case. A longer run sets
    /// <c>PROPERTY_ITERATIONS</c>, e.g. <c>PROPERTY_ITERATIONS=200000 dotnet test FunctionApp.Tests --filter
    /// "FullyQualifiedName~TokenVerdictProperties"</c>.
    /// </summary>
    private static readonly FixedSeedProperty Cases = new("Auth0Verdicts", DefaultIterations: 20_000, ShrinkIterations: 5_000);

    private readonly VerdictFixture _fixture;
    private readonly ITestOutputHelper _output;

    public TokenVerdictProperties(VerdictFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    [Fact]
    public async Task A_token_is_verified_exactly_when_its_header_and_claims_meet_every_rule()
    {
        var tally = new ConcurrentDictionary<(string Family, string Result), int>();
        var signedByTenant = 0;

        await Cases.CheckAsync(
            _fixture.Gen.Cases,
            async c =>
            {
                var result = await _fixture.Validator.ValidateAsync("Bearer " + c.Token, CancellationToken.None);
                Assert.True(
                    result.IsVerified == c.MustVerify,
                    c.MustVerify ? $"A token that meets every rule was refused: {result.Rejection?.Reason}" : $"A token that breaks {string.Join(", ", c.Broken)} was verified.");
                var family = c.Broken.Count switch { 0 => "meets every rule", 1 => "breaks only " + c.Broken[0], var n => $"breaks {n} rules" };
                tally.AddOrUpdate((family, result.IsVerified ? "verified" : result.Rejection!.Reason), 1, (_, n) => n + 1);
                if (!c.Broken.Contains("signature"))
                {
                    Interlocked.Increment(ref signedByTenant);
                }
            },
            _output);

        _output.WriteLine($"Signed with the tenant's key: {signedByTenant:N0}");
        FixedSeedProperty.WriteTally(tally, _output);
        // Both verdicts occurred, so the property compared the validator with the rules both ways.
        Assert.Contains(tally.Keys, k => k.Result == "verified");
        Assert.Contains(tally.Keys, k => k.Result != "verified");
    }
}
