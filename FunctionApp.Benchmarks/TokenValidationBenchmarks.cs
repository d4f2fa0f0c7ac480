using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using FunctionApp.Auth;
using FunctionApp.TestHost.Issuer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionApp.Benchmarks;

/// <summary>
/// The app's validation path (header value in, claims or rejection out) against one raw RSA-2048 verify of the same
/// signature with the same key: the floor, measured in the same run.
/// </summary>
[MemoryDiagnoser]
public class TokenValidationBenchmarks
{
    private LocalIssuer _issuer = null!;
    private ServiceProvider _services = null!;
    private ServiceProvider _servicesWithoutMemory = null!;
    private Auth0TokenValidator _validator = null!;
    private Auth0TokenValidator _firstSight = null!;
    private RSA _publicKey = null!;
    private byte[] _signingInput = null!;
    private byte[] _signature = null!;
    private ProtectedRequest _valid;
    private ProtectedRequest _malformed;
    private ProtectedRequest _expired;
    private ProtectedRequest _wrongAudience;
    private ProtectedRequest _badSignature;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        const string audience = "https://bench.local/api";
        _issuer = await LocalIssuer.StartAsync(audience);
        _services = Services(verifiedTokenMemoryKilobytes: 16 * 1024);
        _validator = _services.GetRequiredService<Auth0TokenValidator>();
        // The same path with no memory of verified tokens: every call verifies the signature.
        _servicesWithoutMemory = Services(verifiedTokenMemoryKilobytes: 0);
        _firstSight = _servicesWithoutMemory.GetRequiredService<Auth0TokenValidator>();

        var token = _issuer.CreateToken();
        _valid = Authorization("Bearer " + token);
        _malformed = Authorization("Bearer not-a-token");
        var expired = _issuer.NewPayload();
        expired["exp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600;
        _expired = Authorization("Bearer " + _issuer.Sign(_issuer.NewHeader(), expired));
        var wrongAudience = _issuer.NewPayload();
        wrongAudience["aud"] = "https://other.local/";
        _wrongAudience = Authorization("Bearer " + _issuer.Sign(_issuer.NewHeader(), wrongAudience));
        _badSignature = Authorization("Bearer " + token[..token.LastIndexOf('.')] + "." + Convert.ToBase64String(new byte[256]).TrimEnd('=').Replace('+', '-').Replace('/', '_'));

        var lastDot = token.LastIndexOf('.');
        _signingInput = Encoding.ASCII.GetBytes(token[..lastDot]);
        _signature = System.Buffers.Text.Base64Url.DecodeFromChars(token.AsSpan(lastDot + 1));
        _publicKey = RSA.Create(_issuer.SigningKey.Rsa.ExportParameters(includePrivateParameters: false));

        // Warm keys: the first validation fetches them.
        if ((await _validator.ValidateAsync(_valid, CancellationToken.None)).IsVerified is false
            || (await _firstSight.ValidateAsync(_valid, CancellationToken.None)).IsVerified is false)
        {
            throw new InvalidOperationException("The valid token did not validate.");
        }
    }

    private ServiceProvider Services(int verifiedTokenMemoryKilobytes)
    {
        var configuration = _issuer.AppConfiguration(settings =>
            settings["Auth0__VerifiedTokenMemoryKilobytes"] = verifiedTokenMemoryKilobytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new ServiceCollection()
            .AddAuth0TokenValidation(configuration.GetSection("Auth0"))
            .BuildServiceProvider();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _publicKey.Dispose();
        await _services.DisposeAsync();
        await _servicesWithoutMemory.DisposeAsync();
        await _issuer.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "raw RSA-2048 verify")]
    public bool RawVerify() => _publicKey.VerifyData(_signingInput, _signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    [Benchmark(Description = "valid token, first sight")]
    public async Task<bool> ValidFirstSight() => (await _firstSight.ValidateAsync(_valid, CancellationToken.None)).IsVerified;

    [Benchmark(Description = "valid token, seen before")]
    public async Task<bool> ValidSeenBefore() => (await _validator.ValidateAsync(_valid, CancellationToken.None)).IsVerified;

    [Benchmark(Description = "missing header")]
    public async Task<bool> MissingHeader() => (await _validator.ValidateAsync(Authorization(null), CancellationToken.None)).IsVerified;

    [Benchmark(Description = "malformed token")]
    public async Task<bool> Malformed() => (await _validator.ValidateAsync(_malformed, CancellationToken.None)).IsVerified;

    [Benchmark(Description = "expired token")]
    public async Task<bool> Expired() => (await _validator.ValidateAsync(_expired, CancellationToken.None)).IsVerified;

    [Benchmark(Description = "wrong audience")]
    public async Task<bool> WrongAudience() => (await _validator.ValidateAsync(_wrongAudience, CancellationToken.None)).IsVerified;

    [Benchmark(Description = "bad signature")]
    public async Task<bool> BadSignature() => (await _validator.ValidateAsync(_badSignature, CancellationToken.None)).IsVerified;

    // A request that carries only an Authorization header, as a Bearer request does.
    private static ProtectedRequest Authorization(string? header) => new(header, null, "GET", null);
}
