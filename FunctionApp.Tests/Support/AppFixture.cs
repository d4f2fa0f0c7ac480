using FunctionApp.TestHost.Hosting;
using FunctionApp.TestHost.Issuer;
using Microsoft.Extensions.Logging;

namespace FunctionApp.Tests.Support;

/// <summary>
/// The real worker process under FunctionApp.TestHost, configured against a real local issuer on 127.0.0.1.
/// One per test class: starting a worker costs about a second.
/// </summary>
public class AppFixture : IAsyncLifetime, IAsyncDisposable
{
    public const string Audience = "https://api.test/";

    private ILoggerFactory? _loggers;
    private bool _disposed;

    public CapturedLogs Logs { get; } = new();

    public LocalIssuer Issuer { get; private set; } = null!;

    public FunctionsHost Host { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>Changes to the app settings the worker starts with.</summary>
    protected Action<Dictionary<string, string>>? Configure { get; init; }

    /// <summary>How the issuer answers while the worker starts.</summary>
    protected IssuerMode ModeAtStart { get; init; } = IssuerMode.Up;

    /// <summary>Changes to the issuer before the worker starts, such as extra keys in its JWKS.</summary>
    protected Action<LocalIssuer>? ConfigureIssuer { get; init; }

    /// <summary>The function app the host serves: the app's build output unless a test publishes one of its own.</summary>
    protected string AppDirectory { get; init; } = FunctionsHostOptions.DefaultAppDirectory;

    /// <summary>How long the worker may take to leave when the fixture is disposed.</summary>
    protected TimeSpan TerminateGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    public virtual async Task InitializeAsync()
    {
        Issuer = await LocalIssuer.StartAsync(Audience);
        Issuer.Mode = ModeAtStart;
        ConfigureIssuer?.Invoke(Issuer);
        _loggers = Logs.CreateFactory();
        var settings = Settings(Issuer);
        Configure?.Invoke(settings);
        Host = await FunctionsHost.StartAsync(
            new FunctionsHostOptions { AppDirectory = AppDirectory, Settings = settings, TerminateGracePeriod = TerminateGracePeriod },
            _loggers);
        // UTF-8 header encoding lets tests send the non-ASCII bytes a hostile client would.
        var handler = new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8 };
        Client = new HttpClient(handler) { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public virtual async Task DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, true))
        {
            return;
        }

        Client?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        if (Issuer is not null)
        {
            await Issuer.DisposeAsync();
        }

        _loggers?.Dispose();
    }

    /// <summary>For tests that need a worker of their own: <c>await using var app = await AppFixture.StartAsync();</c></summary>
    public static async Task<AppFixture> StartAsync(
        Action<Dictionary<string, string>>? configure = null,
        IssuerMode modeAtStart = IssuerMode.Up,
        Action<LocalIssuer>? configureIssuer = null,
        string? appDirectory = null,
        TimeSpan? terminateGracePeriod = null)
    {
        var app = new AppFixture
        {
            Configure = configure,
            ModeAtStart = modeAtStart,
            ConfigureIssuer = configureIssuer,
            AppDirectory = appDirectory ?? FunctionsHostOptions.DefaultAppDirectory,
            TerminateGracePeriod = terminateGracePeriod ?? TimeSpan.FromSeconds(5),
        };
        try
        {
            await app.InitializeAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    ValueTask IAsyncDisposable.DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return new(DisposeAsync());
    }

    /// <summary>The app's settings for the issuer, all else at the app's defaults.</summary>
    public static Dictionary<string, string> Settings(LocalIssuer issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        return issuer.AppSettings();
    }

    /// <summary>GET /api/private with the Authorization header given verbatim (or none).</summary>
    public Task<HttpResponseMessage> GetPrivateAsync(string? authorization, string path = "api/private")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> GetPrivateWithTokenAsync(string token) => GetPrivateAsync("Bearer " + token);

    /// <summary>A valid token from the issuer whose scope grants <paramref name="scope"/>.</summary>
    public string CreateTokenGranting(string scope)
    {
        var payload = Issuer.NewPayload();
        payload["scope"] = scope;
        return Issuer.Sign(Issuer.NewHeader(), payload);
    }

    /// <summary>The absolute URL of <paramref name="path"/> on the host: what a proof's htu names.</summary>
    public string UrlOf(string path) => new Uri(Client.BaseAddress!, path).AbsoluteUri;

    /// <summary>
    /// GET <paramref name="path"/> with <c>Authorization: DPoP</c> and a DPoP header for each of <paramref name="proofs"/>
    /// (none, one, or several), plus any <paramref name="headers"/>.
    /// </summary>
    public Task<HttpResponseMessage> GetWithDPoPAsync(string token, IEnumerable<string> proofs, string path = "api/private", params (string Name, string Value)[] headers)
    {
        ArgumentNullException.ThrowIfNull(proofs);
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Authorization", "DPoP " + token);
        foreach (var proof in proofs)
        {
            request.Headers.TryAddWithoutValidation("DPoP", proof);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return Client.SendAsync(request);
    }

    /// <summary>GET <paramref name="path"/> with a bound token and a fresh, valid proof made with <paramref name="key"/>.</summary>
    public Task<HttpResponseMessage> GetWithDPoPAsync(DPoPKey key, string token, string path = "api/private", string? nonce = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        return GetWithDPoPAsync(token, [key.CreateProof("GET", UrlOf(path), token, nonce)], path);
    }

    /// <summary>A private request with a valid token must succeed: afterwards the worker has the keys cached.</summary>
    public async Task WarmUpAsync()
    {
        using var response = await GetPrivateWithTokenAsync(Issuer.CreateToken());
        Assert.Equal(200, (int)response.StatusCode);
    }

    public void KillWorker()
    {
        using var process = System.Diagnostics.Process.GetProcessById(Host.WorkerProcessId);
        process.Kill();
    }
}
