using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using CsCheck;
using FunctionApp.Auth;
using FunctionApp.TestHost.Issuer;
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

    internal SigningKeySource Keys { get; private set; } = null!;

    public HostileTokenGen Gen { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _issuer = await LocalIssuer.StartAsync("https://property.test/api");
        _services = new ServiceCollection().AddAuth0TokenValidation(_issuer.AppConfiguration().GetSection("Auth0")).BuildServiceProvider();
        Validator = _services.GetRequiredService<Auth0TokenValidator>();
        Keys = _services.GetRequiredService<SigningKeySources>().All.Single();
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
/// the same <see cref="Iterations"/> cases, drawn from <see cref="FixedSeed"/>. A failure is reported by CsCheck with
/// the smallest failing input it shrank to and that input's seed. Reproduce one input with
/// <c>CsCheck_Seed=&lt;seed&gt; dotnet test FunctionApp.Tests --filter "FullyQualifiedName~TokenValidatorProperties"</c>.
/// </summary>
[Collection(nameof(TokenValidatorProperties))]
public sealed class TokenValidatorProperties : IClassFixture<ValidatorFixture>
{
    /// <summary>
    /// Cases per property: 100,000, as CI runs them. A longer run sets the environment variable
    /// <c>PROPERTY_ITERATIONS</c>, e.g. <c>PROPERTY_ITERATIONS=1000000 dotnet test FunctionApp.Tests --filter
    /// "FullyQualifiedName~TokenValidatorProperties"</c>.
    /// </summary>
    private static readonly int Iterations =
        int.TryParse(Environment.GetEnvironmentVariable("PROPERTY_ITERATIONS"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 100_000;

    /// <summary>The CsCheck seed every run starts from, so CI tries the same inputs each time.</summary>
    private const string FixedSeed = "Auth0Hostile";

    /// <summary>Further cases CsCheck draws, after the failing one, to find a smaller input that fails.</summary>
    private const int ShrinkIterations = 20_000;

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
            var documented = result.IsVerified
                ? result.Rejection is null
                : TokenRejection.All.Any(r => ReferenceEquals(r, result.Rejection));
            Assert.True(documented, $"Undocumented answer: {result.Rejection?.Reason}");
            tally.AddOrUpdate((c.Family, result.IsVerified ? "verified" : result.Rejection!.Reason), 1, (_, count) => count + 1);
        });

        WriteTally(tally);
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
                var memory = (await _fixture.Keys.GetAsync(CancellationToken.None))!.Memory;
                var remembered = memory.Count;
                if ((await Validate(c)).IsVerified)
                {
                    return;
                }

                Assert.False((await Validate(c)).IsVerified, "A rejected token verified when sent again.");
                // It may shrink: a token verified by an earlier case and expired since is forgotten when it comes again.
                Assert.InRange((await _fixture.Keys.GetAsync(CancellationToken.None))!.Memory.Count, 0, remembered);
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

    /// <summary>
    /// Runs <paramref name="property"/> on <see cref="Iterations"/> cases, case i drawn from the i-th seed of
    /// <see cref="FixedSeed"/>'s sequence: CsCheck's own Sample fixes only its first case's seed and draws the rest from
    /// the clock. The first failing case goes to CsCheck's SampleAsync with its seed, which fails on it again, shrinks
    /// it, and throws with the smallest input and its seed. With CsCheck_Seed set, only that seed is run (and shrunk).
    /// </summary>
    private async Task CheckAsync(Func<HostileCase, Task> property, int threads = 2)
    {
        var gen = _fixture.Gen.Cases;
        if (Check.Seed is { } replay)
        {
            await gen.SampleAsync(property, seed: replay, iter: ShrinkIterations, threads: threads, print: c => c.ToString());
            return;
        }

        var sequence = PCG.Parse(FixedSeed);
        var seeds = Enumerable.Range(0, Iterations).Select(_ => sequence.Next64()).ToArray();
        var next = -1;
        (string Seed, Exception Failure)? failing = null;
        var gate = new Lock();
        var workers = Enumerable.Range(0, threads).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                lock (gate)
                {
                    if (failing is not null)
                    {
                        return;
                    }
                }

                var i = Interlocked.Increment(ref next);
                if (i >= seeds.Length)
                {
                    return;
                }

                var pcg = new PCG(sequence.Stream, seeds[i]);
                var seed = pcg.ToString();
                try
                {
                    await property(gen.Generate(pcg, null, out Size _));
                }
                catch (Exception failure)
                {
                    lock (gate)
                    {
                        failing ??= (seed, failure);
                    }
                }
            }
        }));
        await Task.WhenAll(workers);
        if (failing is { } first)
        {
            await gen.SampleAsync(property, seed: first.Seed, iter: ShrinkIterations, threads: threads, print: c => c.ToString());
            throw new InvalidOperationException(
                $"The case of seed {first.Seed} failed once but not again, so the property depends on more than its input:\n"
                + gen.Generate(PCG.Parse(first.Seed), null, out Size _), first.Failure);
        }

        _output.WriteLine($"{Iterations:N0} cases from seed {FixedSeed}, all passed.");
    }

    private void WriteTally(ConcurrentDictionary<(string Family, string Result), int> tally)
    {
        foreach (var (result, count) in tally.GroupBy(t => t.Key.Result).Select(g => (g.Key, g.Sum(t => t.Value))).OrderByDescending(r => r.Item2))
        {
            _output.WriteLine($"{result}: {count:N0}");
        }

        foreach (var ((family, result), count) in tally.OrderBy(t => t.Key.Family, StringComparer.Ordinal).ThenByDescending(t => t.Value))
        {
            _output.WriteLine($"  {family} / {result}: {count:N0}");
        }
    }
}

/// <summary>
/// The properties keep both cores busy for a while; run alone, they cannot starve the tests that give the worker a
/// one-second deadline.
/// </summary>
[CollectionDefinition(nameof(TokenValidatorProperties), DisableParallelization = true)]
public sealed class TokenValidatorPropertiesRunAlone;
