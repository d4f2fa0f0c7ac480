using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using FunctionApp.Auth;
using FunctionApp.TestHost.Issuer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FunctionApp.Benchmarks;

/// <summary>
/// The DPoP proof check (RFC 9449 4.3, <see cref="DPoPProofValidator.CheckAsync"/>) against one raw ES256 verify of a
/// proof's signature with a ready key, the floor, measured in the same run; and a whole DPoP request against a Bearer
/// request, each with its token already in the memory of verified tokens.
/// </summary>
/// <remarks>
/// A proof is accepted once (the replay memory), so no invocation can reuse another's. Before each iteration a pool of
/// <see cref="ProofsPerIteration"/> proofs, each with its own jti and a fresh iat, is minted with the client's key,
/// and the validators get a new, empty replay memory; every invocation takes the next proof of the pool. Program.cs
/// runs this class with exactly that many invocations per iteration (one in the dry mode), so the pool never runs out
/// and nothing is offered twice. The client's key stays in the proof-key cache, as for a client's second request on.
/// </remarks>
[MemoryDiagnoser]
public class DPoPValidationBenchmarks
{
    /// <summary>Proofs minted before each iteration: the invocations per iteration of a full run.</summary>
    public const int ProofsPerIteration = 4096;

    /// <summary>Bearer validations per invocation, so that its iterations are long enough to time (about 0.5 µs each).</summary>
    private const int BearerValidationsPerInvocation = 64;

    private static readonly Uri Target = new("https://bench.local/api/private");

    private readonly string[] _proofs = new string[ProofsPerIteration];
    private LocalIssuer _issuer = null!;
    private ServiceProvider _services = null!;
    private DPoPKey _clientKey = null!;
    private ECDsa _publicKey = null!;
    private byte[] _signingInput = null!;
    private byte[] _signature = null!;
    private string _boundToken = null!;
    private string _dpopAuthorization = null!;
    private ProtectedRequest _bearerAuthorization;
    private Auth0TokenValidator _bearerValidator = null!;
    private DPoPReplayMemory _replays = null!;
    private DPoPProofValidator _proofValidator = null!;
    private Auth0TokenValidator _dpopValidator = null!;
    private int _next;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _issuer = await LocalIssuer.StartAsync("https://bench.local/api");
        _services = new ServiceCollection()
            .AddAuth0TokenValidation(_issuer.AppConfiguration().GetSection("Auth0"))
            .BuildServiceProvider();
        _clientKey = DPoPKey.CreateEs256();
        _boundToken = _issuer.CreateBoundToken(_clientKey);
        _dpopAuthorization = "DPoP " + _boundToken;
        _bearerAuthorization = new ProtectedRequest("Bearer " + _issuer.CreateToken(), null, "GET", null);

        // The floor: the signature of one proof, verified with a key object imported once, over bytes decoded once.
        var proof = _clientKey.CreateProof("GET", Target.AbsoluteUri, _boundToken);
        var lastDot = proof.LastIndexOf('.');
        _signingInput = Encoding.ASCII.GetBytes(proof[..lastDot]);
        _signature = Base64Url.DecodeFromChars(proof.AsSpan(lastDot + 1));
        var jwk = _clientKey.PublicJwk();
        _publicKey = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64Url.DecodeFromChars((string)jwk["x"]!), Y = Base64Url.DecodeFromChars((string)jwk["y"]!) },
        });

        // Keys fetched, both tokens verified and remembered, the client's key imported into the proof-key cache: what
        // every request after a client's first finds.
        _bearerValidator = _services.GetRequiredService<Auth0TokenValidator>();
        NewIteration();
        var dpop = await _dpopValidator.ValidateAsync(Request(_proofs[0]), CancellationToken.None);
        var proofRejection = await _proofValidator.CheckAsync(Request(_proofs[1]), _boundToken, _clientKey.Thumbprint, CancellationToken.None);
        if (!RawVerify() || !(await _bearerValidator.ValidateAsync(_bearerAuthorization, CancellationToken.None)).IsVerified
            || !dpop.IsVerified || proofRejection is not null)
        {
            throw new InvalidOperationException(
                $"A valid token or proof did not validate ({dpop.Rejection?.Reason ?? proofRejection?.Reason}): the figures would mean nothing.");
        }
    }

    // A new pool and an empty replay memory before each iteration of the two benchmarks that take proofs; not timed.
    [IterationSetup(Targets = [nameof(ProofCheck), nameof(DPoPSeenBefore)])]
    public void NewIteration()
    {
        for (var i = 0; i < _proofs.Length; i++)
        {
            _proofs[i] = _clientKey.CreateProof("GET", Target.AbsoluteUri, _boundToken);
        }

        _next = 0;
        var options = _services.GetRequiredService<IOptions<Auth0Options>>();
        var time = _services.GetRequiredService<TimeProvider>();
        _replays = new DPoPReplayMemory(options);
        _proofValidator = new DPoPProofValidator(options, _services.GetRequiredService<DPoPNonces>(), _replays, time);
        // The app's validator but for its replay memory: same key sources (and so the same memory of verified tokens).
        _dpopValidator = new Auth0TokenValidator(
            _services.GetRequiredService<IReadOnlyList<DomainSigningKeys>>(), _proofValidator, options, time, _services.GetRequiredService<AccessTokenTelemetry>());
    }

    // Every proof the iteration took was accepted and remembered once: a rejected one would have been remembered never.
    [IterationCleanup(Targets = [nameof(ProofCheck), nameof(DPoPSeenBefore)])]
    public void CheckIteration()
    {
        if (_replays.Count != _next)
        {
            throw new InvalidOperationException($"{_next - _replays.Count} of {_next} proofs were rejected: the figures would mean nothing.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _publicKey.Dispose();
        _clientKey.Dispose();
        await _services.DisposeAsync();
        await _issuer.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "raw ES256 verify of a proof")]
    public bool RawVerify() => _publicKey.VerifyData(_signingInput, _signature, HashAlgorithmName.SHA256);

    [Benchmark(Description = "DPoP proof check")]
    public async ValueTask<bool> ProofCheck() =>
        await _proofValidator.CheckAsync(Request(_proofs[_next++]), _boundToken, _clientKey.Thumbprint, CancellationToken.None) is null;

    [Benchmark(Description = "DPoP request, token seen before")]
    public async Task<bool> DPoPSeenBefore() =>
        (await _dpopValidator.ValidateAsync(Request(_proofs[_next++]), CancellationToken.None)).IsVerified;

    [Benchmark(Description = "Bearer request, token seen before", OperationsPerInvoke = BearerValidationsPerInvocation)]
    public async Task<bool> BearerSeenBefore()
    {
        var verified = true;
        for (var i = 0; i < BearerValidationsPerInvocation; i++)
        {
            verified &= (await _bearerValidator.ValidateAsync(_bearerAuthorization, CancellationToken.None)).IsVerified;
        }

        return verified;
    }

    // For reference: what the client pays to make one proof (JSON, SHA-256 of the token, ES256 sign).
    [Benchmark(Description = "client: make a proof (DPoPKey.CreateProof)")]
    public string MakeProof() => _clientKey.CreateProof("GET", Target.AbsoluteUri, _boundToken);

    private ProtectedRequest Request(string proof) => new(_dpopAuthorization, proof, "GET", Target);
}
