using System.Collections.Concurrent;
using System.Text.Json;
using FunctionApp.Auth;
using FunctionApp.TestHost.Issuer;
using FunctionApp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace FunctionApp.Tests.Auth;

/// <summary>
/// The validator, in process against a real <see cref="LocalIssuer"/>, with keys warmed once, and the hostile
/// Authorization headers of <see cref="HostileTokenGen"/>.
/// </summary>
public sealed class ValidatorFixture : IAsyncLifetime
{
    private LocalIssuer _issuer = null!;
    private ServiceProvider _services = null!;

    internal Auth0TokenValidator Validator { get; private set; } = null!;

    internal DomainSigningKeys Keys { get; private set; } = null!;

    public HostileTokenGen Gen { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _issuer = await LocalIssuer.StartAsync("https://property.test/api");
        _services = new ServiceCollection().AddAuth0TokenValidation(_issuer.AppConfiguration().GetSection("Auth0")).BuildServiceProvider();
        Validator = _services.GetRequiredService<Auth0TokenValidator>();
        Keys = _services.GetRequiredService<IReadOnlyList<DomainSigningKeys>>().Single();
        Gen = new HostileTokenGen(_issuer);
        // Fetches the keys, so no case pays for that and every case meets the same key set.
        if (!(await Validator.ValidateAsync("Bearer " + Gen.ValidToken, CancellationToken.None)).IsVerified)
        {
            throw new InvalidOperationException("The valid token the cases are made from did not verify.");
        }
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _issuer.DisposeAsync();
    }
}

/// <summary>
/// Properties of <see cref="Auth0TokenValidator"/> over generated hostile Authorization headers. Each property tries
/// the same cases, drawn from a fixed seed (<see cref="FixedSeedProperty"/>). A failure is reported by CsCheck with
/// the smallest failing input it shrank to and that input's seed. Reproduce one input with
/// <c>CsCheck_Seed=&lt;seed&gt; dotnet test FunctionApp.Tests --filter "FullyQualifiedName~TokenValidatorProperties"</c>.
/// </summary>
[Collection(nameof(TokenValidatorProperties))]
public sealed class TokenValidatorProperties : IClassFixture<ValidatorFixture>
{
    /// <summary>
    /// 100,000 cases per property, as CI runs them, from the seed <c>Auth0Hostile</c>. A longer run sets the environment
    /// variable <c>PROPERTY_ITERATIONS</c>, e.g. <c>PROPERTY_ITERATIONS=1000000 dotnet test FunctionApp.Tests --filter
    /// "FullyQualifiedName~TokenValidatorProperties"</c>.
    /// </summary>
    private static readonly FixedSeedProperty Cases = new("Auth0Hostile", DefaultIterations: 100_000, ShrinkIterations: 20_000);

    private readonly ValidatorFixture _fixture;
    private readonly ITestOutputHelper _output;

    public TokenValidatorProperties(ValidatorFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    [Fact]
    public async Task Validation_never_throws_for_hostile_headers()
    {
        await CheckAsync(async c => await Validate(c));
    }

    [Fact]
    public async Task Every_answer_is_a_verified_token_or_a_documented_rejection()
    {
        var tally = new ConcurrentDictionary<(string Family, string Result), int>();

        await CheckAsync(async c =>
        {
            var result = await Validate(c);
            Assert.True(result.IsVerified || DocumentedReasons.Contains(result.Rejection.Reason), $"Undocumented answer: {result.Rejection?.Reason}");
            tally.AddOrUpdate((c.Family, result.IsVerified ? "verified" : result.Rejection!.Reason), 1, (_, count) => count + 1);
        });

        FixedSeedProperty.WriteTally(tally, _output);
    }

    [Fact]
    public async Task A_token_whose_signed_bytes_changed_without_a_new_signature_never_verifies()
    {
        await CheckAsync(async c =>
        {
            var result = await Validate(c);
            Assert.False(c.SignedBytesChanged && result.IsVerified, "A token whose header or payload text was changed verified.");
        });
    }

    // One thread, so that the count of remembered tokens moves only by this case's validations.
    [Fact]
    public async Task A_rejected_token_is_rejected_again_and_never_remembered()
    {
        await CheckAsync(
            async c =>
            {
                var memory = _fixture.Keys.Current!.Memory;
                var remembered = memory.Count;
                if ((await Validate(c)).IsVerified)
                {
                    return;
                }

                Assert.False((await Validate(c)).IsVerified, "A rejected token verified when sent again.");
                // It may shrink: a token verified by an earlier case and expired since is forgotten when it comes again.
                Assert.InRange(_fixture.Keys.Current!.Memory.Count, 0, remembered);
            },
            threads: 1);
    }

    [Fact]
    public async Task A_verified_token_carries_exactly_one_JSON_object_without_duplicate_members()
    {
        await CheckAsync(async c =>
        {
            var result = await Validate(c);
            if (result.IsVerified)
            {
                // JsonDocument refuses trailing content and invalid JSON; duplicates it would accept, so they are looked for here.
                using var payload = JsonDocument.Parse(result.Token.PayloadJson);
                Assert.Equal(JsonValueKind.Object, payload.RootElement.ValueKind);
                AssertNoDuplicateMembers(payload.RootElement);
            }
        });
    }

    private static void AssertNoDuplicateMembers(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = element.EnumerateObject().Select(p => p.Name).ToList();
                Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
                foreach (var member in element.EnumerateObject())
                {
                    AssertNoDuplicateMembers(member.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    AssertNoDuplicateMembers(item);
                }

                break;
        }
    }

    private Task<AccessTokenResult> Validate(HostileCase c) => _fixture.Validator.ValidateAsync(c.Authorization, CancellationToken.None);

    private Task CheckAsync(Func<HostileCase, Task> property, int threads = 2) => Cases.CheckAsync(_fixture.Gen.Cases, property, _output, threads);
}

/// <summary>
/// The properties keep both cores busy for a while; run alone, they cannot starve the tests that give the worker a
/// one-second deadline.
/// </summary>
[CollectionDefinition(nameof(TokenValidatorProperties), DisableParallelization = true)]
public sealed class TokenValidatorPropertiesRunAlone;
