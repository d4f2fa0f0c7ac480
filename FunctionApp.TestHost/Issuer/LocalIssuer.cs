using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FunctionApp.TestHost.Issuer;

/// <summary>
/// An Auth0 stand-in on 127.0.0.1: serves the OpenID configuration and the JWKS of its <see cref="Keys"/>, answers
/// the client-credentials grant, mints tokens for tests, and misbehaves on demand (<see cref="Mode"/>).
/// </summary>
public sealed class LocalIssuer : IAsyncDisposable
{
    private static readonly string[] SigningAlgorithms = ["RS256"];

    private readonly WebApplication _server;
    private readonly IssuerFaults _faults = new();
    private int _metadataRequests;
    private int _jwksRequests;

    private LocalIssuer(WebApplication server, string audience)
    {
        _server = server;
        Audience = audience;
    }

    /// <summary>Its base address, known once it listens: the authority of every token it mints.</summary>
    public Uri Authority { get; private set; } = null!;

    /// <summary>The iss of the tokens it mints: the authority, with its trailing slash, as Auth0 sets it.</summary>
    public string Issuer => Authority.AbsoluteUri;

    /// <summary>Where the client-credentials grant is posted: the htu of the DPoP proofs that go with it.</summary>
    public Uri TokenEndpoint => new(Authority, "oauth/token");

    /// <summary>The API identifier its tokens are minted for by default.</summary>
    public string Audience { get; }

    public IssuerKeySet Keys { get; } = new();

    public TokenMinter Tokens { get; private set; } = null!;

    public ClientCredentialsGrant Grant { get; private set; } = null!;

    public string ClientId => Grant.ClientId;

    public IssuerKey SigningKey => Keys.SigningKey;

    /// <summary>The issuer its discovery document names, if not its own: a document that belongs to another issuer.</summary>
    public string? DiscoveryIssuer { get; set; }

    /// <summary>Whether token requests with a DPoP proof need a nonce the issuer handed out (RFC 9449 8); false by default.</summary>
    public bool RequireDPoPNonce
    {
        get => Grant.DPoP.RequireNonce;
        set => Grant.DPoP.RequireNonce = value;
    }

    public IssuerMode Mode
    {
        get => _faults.Mode;
        set => _faults.Mode = value;
    }

    public int MetadataRequests => Volatile.Read(ref _metadataRequests);

    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    /// <summary>Completes when the next metadata or JWKS request arrives.</summary>
    public Task NextMetadataRequest => _faults.NextRequest;

    /// <summary>The app settings that point the function app at this issuer, in the form of local.settings.json's Values.</summary>
    public Dictionary<string, string> AppSettings() => new()
    {
        ["Auth0__Domain"] = Authority.AbsoluteUri,
        ["Auth0__ApiAudience"] = Audience,
    };

    /// <summary>
    /// The same settings, changed by <paramref name="change"/>, as configuration for building the app's services in
    /// this process: read section <c>Auth0</c>.
    /// </summary>
    public IConfiguration AppConfiguration(Action<Dictionary<string, string>>? change = null)
    {
        var settings = AppSettings();
        change?.Invoke(settings);
        return new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), (string?)s.Value)))
            .Build();
    }

    public static async Task<LocalIssuer> StartAsync(string audience, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http1));
        var server = builder.Build();
        var issuer = new LocalIssuer(server, audience);
        server.MapGet("/.well-known/openid-configuration", (Delegate)issuer.ServeMetadataAsync);
        server.MapGet("/.well-known/jwks.json", (Delegate)issuer.ServeJwksAsync);
        server.MapPost("/oauth/token", (HttpRequest request) => issuer.Grant.IssueAsync(request));
        await server.StartAsync().ConfigureAwait(false);

        // Tokens name the issuer by its address, known only now that it listens.
        issuer.Authority = new Uri(server.Urls.Single().TrimEnd('/') + "/");
        var clientId = "demo-" + RandomNumberGenerator.GetHexString(16, lowercase: true);
        issuer.Tokens = new TokenMinter(issuer.Keys, issuer.Issuer, audience, clientId);
        issuer.Grant = new ClientCredentialsGrant(issuer.Tokens, audience, clientId, issuer.TokenEndpoint);
        return issuer;
    }

    /// <summary>Publishes a new key and signs with it from now on; the old key stays published unless <paramref name="retireOld"/>.</summary>
    public IssuerKey RotateKey(bool retireOld = false) => Keys.Rotate(retireOld);

    /// <inheritdoc cref="IssuerKeySet.AlsoPublish"/>
    public void AlsoPublish(Dictionary<string, string> jwk) => Keys.AlsoPublish(jwk);

    /// <inheritdoc cref="TokenMinter.NewHeader"/>
    public JsonObject NewHeader(IssuerKey? key = null) => Tokens.NewHeader(key);

    /// <inheritdoc cref="TokenMinter.NewPayload"/>
    public JsonObject NewPayload() => Tokens.NewPayload();

    /// <inheritdoc cref="TokenMinter.Sign"/>
    public string Sign(JsonObject header, JsonObject payload, IssuerKey? key = null) => Tokens.Sign(header, payload, key);

    /// <inheritdoc cref="TokenMinter.SignText"/>
    public string SignText(string headerJson, string payloadJson) => Tokens.SignText(headerJson, payloadJson);

    /// <inheritdoc cref="TokenMinter.CreateToken"/>
    public string CreateToken(string? keyId = null) => Tokens.CreateToken(keyId);

    /// <summary>A valid access token bound to <paramref name="key"/>: cnf.jkt is its thumbprint.</summary>
    public string CreateBoundToken(DPoPKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Tokens.CreateBoundToken(key.Thumbprint);
    }

    public async ValueTask DisposeAsync()
    {
        _faults.Stop();
        await _server.StopAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
        Keys.Dispose();
        _faults.Dispose();
    }

    private async Task<IResult> ServeMetadataAsync(HttpContext context)
    {
        Interlocked.Increment(ref _metadataRequests);
        return await _faults.AnswerAsync(context).ConfigureAwait(false) ?? Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = DiscoveryIssuer ?? Issuer,
            ["jwks_uri"] = new Uri(Authority, ".well-known/jwks.json").AbsoluteUri,
            ["token_endpoint"] = TokenEndpoint.AbsoluteUri,
            ["id_token_signing_alg_values_supported"] = SigningAlgorithms,
        });
    }

    private async Task<IResult> ServeJwksAsync(HttpContext context)
    {
        Interlocked.Increment(ref _jwksRequests);
        return await _faults.AnswerAsync(context).ConfigureAwait(false)
            ?? Results.Json(new { keys = Mode == IssuerMode.NoKeys ? [] : Keys.ToJwks() });
    }
}
