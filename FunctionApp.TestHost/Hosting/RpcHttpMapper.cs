using System.Text.Json;
using FunctionApp.TestHost.Rpc;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;

namespace FunctionApp.TestHost.Hosting;

/// <summary>Turns an HTTP request into an InvocationRequest, and an InvocationResponse back into HTTP, as the genuine host does.</summary>
public static class RpcHttpMapper
{
    private const string NameClaimType = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name";
    private const string RoleClaimType = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";

    /// <summary>
    /// The invocation of <paramref name="route"/> for the request, or null when the request's URL does not parse (a Host
    /// header such as <c>127.0.0.1:99999</c>, or an empty one): the genuine host's HTTP trigger builds a <see cref="Uri"/>
    /// from it and fails before the worker is called.
    /// </summary>
    public static async Task<InvocationRequest?> ToInvocationAsync(
        HttpContext context, FunctionRoute route, Dictionary<string, string> routeValues)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(routeValues);
        var request = context.Request;
        if (UrlOf(request) is not { } url)
        {
            return null;
        }

        var http = new RpcHttp
        {
            Method = request.Method,
            Url = url,
            StatusCode = string.Empty,
        };
        http.Identities.Add(new RpcClaimsIdentity
        {
            NameClaimType = new NullableString { Value = NameClaimType },
            RoleClaimType = new NullableString { Value = RoleClaimType },
        });

        foreach (var (name, values) in request.Headers)
        {
            // Names are lowercased here; the Headers trigger metadata keeps the client's casing.
            http.NullableHeaders[name.ToLowerInvariant()] = new NullableString { Value = Joined(values) };
        }

        foreach (var (name, values) in request.Query)
        {
            http.NullableQuery[name] = new NullableString { Value = Joined(values) };
        }

        foreach (var (name, value) in routeValues)
        {
            http.NullableParams[name] = new NullableString { Value = value };
        }

        // Only a body with a Content-Length is forwarded; the genuine host drops a chunked body.
        if (request.ContentLength is > 0)
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            http.Body = new TypedData { Bytes = ByteString.CopyFrom(buffer.GetBuffer(), 0, (int)buffer.Length) };
        }

        return Invocation(request, route, routeValues, http);
    }

    /// <summary>
    /// The invocation of <paramref name="route"/> for a worker that serves HTTP itself (ASP.NET Core integration), or
    /// null when the request's URL does not parse: the genuine host then sends an empty RpcHttp, since the request
    /// itself reaches the worker over HTTP, and the same trigger metadata as otherwise.
    /// </summary>
    public static InvocationRequest? ToProxiedInvocation(HttpContext context, FunctionRoute route, Dictionary<string, string> routeValues)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(routeValues);
        return UrlOf(context.Request) is null ? null : Invocation(context.Request, route, routeValues, new RpcHttp());
    }

    /// <summary>Writes the worker's answer; a failed invocation is a bare 500, as the genuine host sends.</summary>
    public static async Task WriteAsync(HttpContext context, InvocationResponse invocation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(invocation);
        var response = context.Response;
        var http = invocation.Result?.Status == StatusResult.Types.Status.Success
            ? invocation.ReturnValue?.Http ?? invocation.OutputData.FirstOrDefault(b => b.Data?.Http is not null)?.Data.Http
            : null;
        if (http is null)
        {
            response.StatusCode = StatusCodes.Status500InternalServerError;
            response.ContentLength = 0;
            return;
        }

        response.StatusCode = int.TryParse(http.StatusCode, out var status) ? status : StatusCodes.Status200OK;
        foreach (var (name, value) in http.Headers)
        {
            response.Headers.Append(name, value);
        }

        var body = http.Body switch
        {
            { DataCase: TypedData.DataOneofCase.Bytes } b => b.Bytes.Memory,
            { DataCase: TypedData.DataOneofCase.String } s => System.Text.Encoding.UTF8.GetBytes(s.String),
            { DataCase: TypedData.DataOneofCase.Json } j => System.Text.Encoding.UTF8.GetBytes(j.Json),
            _ => ReadOnlyMemory<byte>.Empty,
        };
        if (!body.IsEmpty)
        {
            await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    // Scheme, Host header, path and the raw query: the worker parses its Query from this.
    private static string? UrlOf(HttpRequest request)
    {
        var url = UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path) + request.QueryString.Value;
        return Uri.TryCreate(url, UriKind.Absolute, out _) ? url : null;
    }

    // Repeated headers or query parameters become one value joined by a bare comma.
    private static string Joined(Microsoft.Extensions.Primitives.StringValues values) => string.Join(',', values.ToArray());

    private static InvocationRequest Invocation(HttpRequest request, FunctionRoute route, Dictionary<string, string> routeValues, RpcHttp http)
    {
        var headerJson = request.Headers.ToDictionary(h => h.Key, h => Joined(h.Value));
        var queryJson = request.Query.ToDictionary(q => q.Key, q => q.Value.Count > 0 ? q.Value[^1] ?? string.Empty : string.Empty);
        var invocation = new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = route.FunctionId,
            TraceContext = new RpcTraceContext { TraceParent = string.Empty, TraceState = string.Empty },
        };
        invocation.InputData.Add(new ParameterBinding { Name = route.TriggerName, Data = new TypedData { Http = http } });
        invocation.TriggerMetadata["Query"] = new TypedData { Json = JsonSerializer.Serialize(queryJson) };
        invocation.TriggerMetadata["Headers"] = new TypedData { Json = JsonSerializer.Serialize(headerJson) };
        // Query values, then route values, become binding data; a route value wins over a query value of the same name.
        foreach (var (name, value) in queryJson.Concat(routeValues))
        {
            invocation.TriggerMetadata[name] = new TypedData { String = value };
        }

        return invocation;
    }
}
