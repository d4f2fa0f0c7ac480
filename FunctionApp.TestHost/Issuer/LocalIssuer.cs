using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace FunctionApp.TestHost.Issuer;

/// <summary>
/// An Auth0 stand-in on 127.0.0.1: serves the OpenID configuration and a JWKS of keys it generates, mints access tokens,
/// answers the client-credentials grant, and can rotate keys or go down on demand.
/// </summary>
public sealed class LocalIssuer : IAsyncDisposable
{
    private static readonly string[] SigningAlgorithms = ["RS256"];

    private readonly WebApplication _server;
    private readonly Lock _gate = new();
    private readonly List<IssuerKey> _published = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Dictionary<string, string>> _extraJwks = [];
    private TaskCompletionSource _metadataRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _modeChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IssuerMode _mode = IssuerMode.Up;
    private IssuerKey _signingKey;
    private int _keyCount;
    private int _metadataRequests;
    private int _jwksRequests;

    private LocalIssuer(WebApplication server, string audience)
    {
        _server = server;
        Audience = audience;
        _signingKey = NewKey();
        _published.Add(_signingKey);
    }

    public Uri Authority { get; private set; } = null!;

    /// <summary>The iss of the tokens it mints: the authority, with its trailing slash, as Auth0 sets it.</summary>
    public string Issuer => Authority.AbsoluteUri;

    /// <summary>The API identifier its tokens are minted for by default.</summary>
    public string Audience { get; }

    public string ClientId { get; } = "demo-" + RandomNumberGenerator.GetHexString(16, lowercase: true);

    public string ClientSecret { get; } = RandomNumberGenerator.GetHexString(48, lowercase: true);

    /// <summary>The permissions the client is granted, as an Auth0 API grants them to a machine-to-machine application.</summary>
    public string GrantedScope { get; } = "read:messages";

    public IssuerMode Mode
    {
        get => _mode;
        set
        {
            TaskCompletionSource changed;
            lock (_gate)
            {
                _mode = value;
                changed = _modeChanged;
                _modeChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            changed.TrySetResult();
        }
    }

    public IssuerKey SigningKey
    {
        get
        {
            lock (_gate)
            {
                return _signingKey;
            }
        }
    }

    public int MetadataRequests => Volatile.Read(ref _metadataRequests);

    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    /// <summary>Completes when the next metadata or JWKS request arrives.</summary>
    public Task NextMetadataRequest
    {
        get
        {
            lock (_gate)
            {
                return _metadataRequested.Task;
            }
        }
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
        server.MapPost("/oauth/token", issuer.IssueTokenAsync);
        await server.StartAsync().ConfigureAwait(false);
        issuer.Authority = new Uri(server.Urls.Single().TrimEnd('/') + "/");
        return issuer;
    }

    /// <summary>Publishes a new key and signs with it from now on; the old key stays published unless <paramref name="retireOld"/>.</summary>
    public IssuerKey RotateKey(bool retireOld = false)
    {
        lock (_gate)
        {
            var next = NewKey();
            if (retireOld)
            {
                _published.Remove(_signingKey);
            }

            _published.Add(next);
            _signingKey = next;
            return next;
        }
    }

    /// <summary>Publishes a JWK as given, before the issuer's own keys: a key of another type, or one not for signatures.</summary>
    public void AlsoPublish(Dictionary<string, string> jwk)
    {
        lock (_gate)
        {
            _extraJwks.Add(jwk);
        }
    }

    /// <summary>A header for an RS256 token signed with the current key (or <paramref name="key"/>).</summary>
    public JsonObject NewHeader(IssuerKey? key = null) => new() { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = (key ?? SigningKey).Id };

    /// <summary>The claims Auth0 puts in a client-credentials access token, valid for an hour from now.</summary>
    public JsonObject NewPayload()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iss"] = Issuer,
            ["sub"] = ClientId + "@clients",
            ["aud"] = Audience,
            ["iat"] = now,
            ["exp"] = now + 3600,
            ["azp"] = ClientId,
            ["gty"] = "client-credentials",
        };
    }

    /// <summary>Signs the given header and payload with the current key (or <paramref name="key"/>).</summary>
    public string Sign(JsonObject header, JsonObject payload, IssuerKey? key = null) =>
        CompactJws.SignRsa(header, payload, (key ?? SigningKey).Rsa);

    /// <summary>Signs header and payload JSON text exactly as given (valid JSON or not) with the current key, RS256.</summary>
    public string SignText(string headerJson, string payloadJson) => CompactJws.SignRsa(headerJson, payloadJson, "RS256", SigningKey.Rsa);

    /// <summary>A valid access token for the default audience.</summary>
    public string CreateToken() => Sign(NewHeader(), NewPayload());

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _server.StopAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
        lock (_gate)
        {
            foreach (var key in _published)
            {
                key.Dispose();
            }
        }

        _stopping.Dispose();
    }

    private IssuerKey NewKey() => new($"local-key-{Interlocked.Increment(ref _keyCount)}");

    private async Task<IResult> ServeMetadataAsync(HttpContext context)
    {
        Interlocked.Increment(ref _metadataRequests);
        return await FaultAsync(context) ?? Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["jwks_uri"] = new Uri(Authority, ".well-known/jwks.json").AbsoluteUri,
            ["token_endpoint"] = new Uri(Authority, "oauth/token").AbsoluteUri,
            ["id_token_signing_alg_values_supported"] = SigningAlgorithms,
        });
    }

    private async Task<IResult> ServeJwksAsync(HttpContext context)
    {
        Interlocked.Increment(ref _jwksRequests);
        if (await FaultAsync(context) is { } fault)
        {
            return fault;
        }

        lock (_gate)
        {
            var keys = Mode == IssuerMode.NoKeys ? [] : _extraJwks.Concat(_published.Select(k => k.ToJwk())).ToArray();
            return Results.Json(new { keys });
        }
    }

    /// <summary>The answer the current mode gives instead of the document, if any.</summary>
    private async Task<IResult?> FaultAsync(HttpContext context)
    {
        Task modeChanged;
        lock (_gate)
        {
            _metadataRequested.TrySetResult();
            _metadataRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            modeChanged = _modeChanged.Task;
        }

        if (Mode == IssuerMode.Held)
        {
            // Answers as the next mode says, once the test has seen what it wanted while the request was held.
            await modeChanged.WaitAsync(_stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        switch (Mode)
        {
            case IssuerMode.Down:
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            case IssuerMode.Html:
                return Results.Content("<html><body>Service unavailable</body></html>", "text/html");
            case IssuerMode.Unresponsive:
                using (var abandon = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token))
                {
                    await Task.Delay(Timeout.Infinite, abandon.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }

                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            default:
                return null;
        }
    }

    // Answers as Auth0 does for the client-credentials grant, with its error codes.
    private async Task<IResult> IssueTokenAsync(HttpRequest request)
    {
        if (!request.HasFormContentType)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request", "Send the form fields grant_type, client_id, client_secret and audience.");
        }

        var form = await request.ReadFormAsync().ConfigureAwait(false);
        if (form["grant_type"] != "client_credentials")
        {
            return Error(StatusCodes.Status400BadRequest, "unsupported_grant_type", "Only client_credentials is supported.");
        }

        if (form["client_id"] != ClientId || !FixedTimeEquals(form["client_secret"].ToString(), ClientSecret))
        {
            return Error(StatusCodes.Status401Unauthorized, "access_denied", "Unauthorized");
        }

        if (form["audience"] != Audience)
        {
            return Error(StatusCodes.Status403Forbidden, "access_denied", $"Service not enabled within domain: {form["audience"]}");
        }

        var payload = NewPayload();
        payload["scope"] = GrantedScope;
        var expiresIn = (long)payload["exp"]! - (long)payload["iat"]!;
        return Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = Sign(NewHeader(), payload),
            ["scope"] = GrantedScope,
            ["expires_in"] = expiresIn,
            ["token_type"] = "Bearer",
        });
    }

    private static IResult Error(int status, string error, string description) =>
        Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: status);

    private static bool FixedTimeEquals(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(given), System.Text.Encoding.UTF8.GetBytes(expected));
}
