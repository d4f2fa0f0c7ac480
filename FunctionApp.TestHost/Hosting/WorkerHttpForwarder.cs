using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace FunctionApp.TestHost.Hosting;

/// <summary>
/// Passes a request on to the HTTP server of a worker that runs one (ASP.NET Core integration) and writes its answer
/// back, as the genuine host's reverse proxy does: every header but the connection's own, the Host replaced by the
/// worker's, the original one and the scheme and client in X-Forwarded-*, and the invocation id in
/// <c>x-ms-invocation-id</c>, by which the worker pairs the request with the InvocationRequest sent over gRPC.
/// </summary>
internal sealed class WorkerHttpForwarder : IDisposable
{
    /// <summary>The header by which the worker pairs a request with its invocation.</summary>
    public const string InvocationIdHeader = "x-ms-invocation-id";

    // Headers about the connection rather than the message, which a proxy neither passes on nor copies back.
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Transfer-Encoding", "Keep-Alive", "Upgrade", "Proxy-Connection", "Proxy-Authenticate",
        "Proxy-Authentication-Info", "Proxy-Authorization", "Proxy-Features", "Proxy-Instruction", "Security-Scheme",
        "ALPN", "Close", "HTTP2-Settings", "Upgrade-Insecure-Requests", "TE", "Alt-Svc",
    };

    private static readonly string[] ForwardedHeaders = ["X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Prefix"];

    private readonly Uri _worker;
    private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

    /// <param name="worker">The worker's HTTP address, as its WorkerInitResponse named it in the HttpUri capability.</param>
    public WorkerHttpForwarder(Uri worker) => _worker = worker;

    /// <summary>Forwards the request for <paramref name="invocationId"/> and copies the worker's answer into <paramref name="context"/>.</summary>
    /// <exception cref="HttpRequestException">The worker's server did not answer.</exception>
    public async Task ForwardAsync(HttpContext context, string invocationId)
    {
        using var request = ToWorker(context, invocationId);
        using var response = await _invoker.SendAsync(request, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated))
        {
            if (!HopByHop.Contains(name))
            {
                // One header line per value, as the worker sent them.
                context.Response.Headers.Append(name, new StringValues([.. values]));
            }
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    public void Dispose() => _invoker.Dispose();

    private HttpRequestMessage ToWorker(HttpContext context, string invocationId)
    {
        var incoming = context.Request;
        var request = new HttpRequestMessage(new HttpMethod(incoming.Method), new Uri(
            _worker.GetLeftPart(UriPartial.Authority) + incoming.Path.ToUriComponent() + incoming.QueryString.ToUriComponent()))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            request.Content = new StreamContent(incoming.Body);
        }

        foreach (var (name, values) in incoming.Headers)
        {
            if (HopByHop.Contains(name) || name.Equals("Host", StringComparison.OrdinalIgnoreCase) || ForwardedHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                // A content header (Content-Type, Content-Length...) belongs to the body, even an empty one.
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        request.Headers.TryAddWithoutValidation("X-Forwarded-For", context.Connection.RemoteIpAddress?.ToString());
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", incoming.Host.Value);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", incoming.Scheme);
        if (incoming.PathBase.HasValue)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-Prefix", incoming.PathBase.Value);
        }

        // The genuine host adds the header only when the client has not sent one.
        if (!request.Headers.Contains(InvocationIdHeader))
        {
            request.Headers.TryAddWithoutValidation(InvocationIdHeader, invocationId);
        }

        return request;
    }
}
