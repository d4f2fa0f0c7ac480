using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using CsCheck;
using FunctionApp.Auth;
using FunctionApp.TestHost.Issuer;
using FunctionApp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace FunctionApp.Tests.Auth;

/// <summary>
/// The validator twice in process against one real <see cref="LocalIssuer"/>, nonces off and on, with a clock that
/// stands still, a token bound to a real ES256 key, and the hostile proofs of <see cref="HostileProofGen"/> for it.
/// </summary>
public sealed class ProofValidatorFixture : IAsyncLifetime
{
    public const string Url = "https://app.example/api/private";

    private readonly DPoPKey _key = DPoPKey.CreateEs256();
    private readonly DPoPKey _otherKey = DPoPKey.CreateEs256();
    private LocalIssuer _issuer = null!;
    private ServiceProvider _plain = null!;
    private ServiceProvider _withNonces = null!;

    public InProcessValidator.ManualClock Clock { get; } = new();

    public string Token { get; private set; } = null!;

    public HostileProofGen Gen { get; private set; } = null!;

    public HostileProofGen GenWithNonces { get; private set; } = null!;

    internal Auth0TokenValidator Validator { get; private set; } = null!;

    internal Auth0TokenValidator ValidatorWithNonces { get; private set; } = null!;

    internal DPoPNonces Nonces { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _issuer = await LocalIssuer.StartAsync("https://property.test/api");
        _plain = Services(_ => { });
        _withNonces = Services(s => s["Auth0__DPoPNonceSecret"] = "a-nonce-secret-of-at-least-32-characters");
        Validator = _plain.GetRequiredService<Auth0TokenValidator>();
        ValidatorWithNonces = _withNonces.GetRequiredService<Auth0TokenValidator>();
        Nonces = _withNonces.GetRequiredService<DPoPNonces>();
        Token = _issuer.CreateBoundToken(_key);
        var now = Clock.GetUtcNow().ToUnixTimeSeconds();
        Gen = new HostileProofGen(_key, _otherKey, Token, _issuer.CreateToken(), Url, now, nonces: false);
        GenWithNonces = new HostileProofGen(_key, _otherKey, Token, _issuer.CreateToken(), Url, now, nonces: true);
        // Fetches the keys and remembers the token, so no case pays for that and every case meets the same state.
        var warm = await Validator.ValidateAsync(Request(Gen.Genuine.Make(NewJti(), null).Proof), CancellationToken.None);
        if (!warm.IsVerified)
        {
            throw new InvalidOperationException($"The genuine proof the cases are made from did not verify: {warm.Rejection.Reason}");
        }

        await ValidatorWithNonces.ValidateAsync(Request(null), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _plain.DisposeAsync();
        await _withNonces.DisposeAsync();
        await _issuer.DisposeAsync();
        Gen.Dispose();
        GenWithNonces.Dispose();
        _key.Dispose();
        _otherKey.Dispose();
    }

    /// <summary>A jti no proof has used before.</summary>
    public static string NewJti() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    internal ProtectedRequest Request(string? proof) => new("DPoP " + Token, proof, "GET", new Uri(Url));

    private ServiceProvider Services(Action<Dictionary<string, string>> settings) =>
        new ServiceCollection()
            .AddSingleton<TimeProvider>(Clock)
            .AddAuth0TokenValidation(_issuer.AppConfiguration(settings).GetSection("Auth0"))
            .BuildServiceProvider();
}

/// <summary>
/// Properties of the DPoP proof check over generated hostile proofs that come with a valid bound token. Each property
/// tries the same cases, drawn from a fixed seed (<see cref="FixedSeedProperty"/>), as
/// <see cref="TokenValidatorProperties"/> does. Reproduce one input with
/// <c>CsCheck_Seed=&lt;seed&gt; dotnet test FunctionApp.Tests --filter "FullyQualifiedName~DPoPProofProperties"</c>.
/// </summary>
[Collection(nameof(TokenValidatorProperties))]
public sealed class DPoPProofProperties : IClassFixture<ProofValidatorFixture>
{
    /// <summary>
    /// 20,000 cases per property (a few seconds on two cores; a proof is signed for every case), from the seed
    /// <c>DPoPProofs01</c>. A longer run sets <c>PROPERTY_ITERATIONS</c>, e.g. <c>PROPERTY_ITERATIONS=1000000 dotnet test
    /// FunctionApp.Tests --filter "FullyQualifiedName~DPoPProofProperties"</c>.
    /// </summary>
    private static readonly FixedSeedProperty Cases = new("DPoPProofs01", DefaultIterations: 20_000, ShrinkIterations: 5_000);

    private const string InvalidProof = "invalid_dpop_proof";
    private const string UseNonce = "use_dpop_nonce";

    private readonly ProofValidatorFixture _fixture;
    private readonly ITestOutputHelper _output;

    public DPoPProofProperties(ProofValidatorFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    [Fact]
    public async Task A_hostile_proof_never_makes_validation_throw_and_is_refused_as_an_invalid_proof()
    {
        var tally = new ConcurrentDictionary<(string Family, string Result), int>();

        await CheckAsync(_fixture.Gen, async c =>
        {
            var (made, result) = await ValidateAsync(c, nonces: false);
            if (!result.IsVerified)
            {
                Assert.True(DocumentedReasons.Contains(result.Rejection.Reason), $"Undocumented answer: {result.Rejection.Reason}\n  {made}");
                Assert.True(result.Rejection.Error == InvalidProof, $"Refused with {result.Rejection.Error} ({result.Rejection.Reason}), not {InvalidProof}\n  {made}");
            }

            tally.AddOrUpdate((c.Family, result.IsVerified ? "verified" : result.Rejection!.Reason), 1, (_, count) => count + 1);
        });

        FixedSeedProperty.WriteTally(tally, _output);
    }

    [Fact]
    public async Task Only_the_genuine_proof_or_an_equivalent_one_is_ever_verified()
    {
        await CheckAsync(_fixture.Gen, async c =>
        {
            var (made, result) = await ValidateAsync(c, nonces: false);
            Assert.False(
                result.IsVerified && made.Expect == ProofExpectation.NeverVerifies,
                $"A proof that must never verify was verified.\n  {made}");
        });
    }

    [Fact]
    public async Task The_untouched_genuine_proof_and_every_equivalent_one_is_verified()
    {
        await CheckAsync(_fixture.Gen, async c =>
        {
            var (made, result) = await ValidateAsync(c, nonces: false);
            Assert.False(
                made.Expect == ProofExpectation.Verifies && !result.IsVerified,
                $"A valid proof was refused: {result.Rejection?.Reason}\n  {made}");
        });
    }

    [Fact]
    public async Task With_nonces_on_a_hostile_proof_is_refused_as_an_invalid_proof_or_with_a_nonce_challenge_and_never_verified_unless_genuine()
    {
        var tally = new ConcurrentDictionary<(string Family, string Result), int>();

        await CheckAsync(_fixture.GenWithNonces, async c =>
        {
            var (made, result) = await ValidateAsync(c, nonces: true);
            if (result.IsVerified)
            {
                Assert.True(made.Expect != ProofExpectation.NeverVerifies, $"A proof that must never verify was verified.\n  {made}");
            }
            else
            {
                Assert.True(DocumentedReasons.Contains(result.Rejection.Reason), $"Undocumented answer: {result.Rejection.Reason}\n  {made}");
                Assert.True(
                    result.Rejection.Error is InvalidProof or UseNonce,
                    $"Refused with {result.Rejection.Error} ({result.Rejection.Reason}), not {InvalidProof} or {UseNonce}\n  {made}");
            }

            tally.AddOrUpdate((c.Family, result.IsVerified ? "verified" : result.Rejection!.Reason), 1, (_, count) => count + 1);
        });

        FixedSeedProperty.WriteTally(tally, _output);
    }

    [Fact]
    public async Task With_nonces_on_the_genuine_proof_with_the_current_nonce_and_every_equivalent_one_is_verified()
    {
        await CheckAsync(_fixture.GenWithNonces, async c =>
        {
            var (made, result) = await ValidateAsync(c, nonces: true);
            Assert.False(
                made.Expect == ProofExpectation.Verifies && !result.IsVerified,
                $"A valid proof was refused: {result.Rejection?.Reason}\n  {made}");
        });
    }

    private async Task<(MadeProof Made, AccessTokenResult Result)> ValidateAsync(HostileProof c, bool nonces)
    {
        var made = c.Make(ProofValidatorFixture.NewJti(), nonces ? _fixture.Nonces.Current() : null);
        var validator = nonces ? _fixture.ValidatorWithNonces : _fixture.Validator;
        return (made, await validator.ValidateAsync(_fixture.Request(made.Proof), CancellationToken.None));
    }

    private Task CheckAsync(HostileProofGen generator, Func<HostileProof, Task> property, int threads = 2) =>
        Cases.CheckAsync(generator.Proofs, property, _output, threads);
}
