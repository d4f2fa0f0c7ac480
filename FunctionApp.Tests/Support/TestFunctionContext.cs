using System.Collections.Immutable;
using System.Reflection;
using System.Security.Claims;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Tests.Support;

/// <summary>
/// An invocation of an HTTP-triggered function as the worker hands it to middleware, built in this process: its
/// request, its definition, and the result slot the worker reads the response from.
/// </summary>
public sealed class TestFunctionContext : FunctionContext
{
    private readonly FeatureSet _features = new();

    public TestFunctionContext(string functionName, string? authorization, string? dpop = null)
    {
        FunctionDefinition = new Definition(functionName);
        Request = new TestRequest(this, authorization, dpop);
        _features.Set<IHttpRequestDataFeature>(new RequestFeature(Request));
        // The worker keeps the invocation result behind an interface of its own; a proxy stands in for it.
        var bindingsType = typeof(FunctionContext).Assembly.GetType("Microsoft.Azure.Functions.Worker.Context.Features.IFunctionBindingsFeature", throwOnError: true)!;
        _features.Set(bindingsType, DispatchProxy.Create(bindingsType, typeof(BindingsProxy)));
    }

    public HttpRequestData Request { get; }

    public override string InvocationId { get; } = Guid.NewGuid().ToString();

    public override string FunctionId => FunctionDefinition.Id;

    public override TraceContext TraceContext => throw new NotSupportedException();

    public override BindingContext BindingContext => throw new NotSupportedException();

    public override RetryContext RetryContext => throw new NotSupportedException();

    public override IServiceProvider InstanceServices { get; set; } = new EmptyServices();

    public override FunctionDefinition FunctionDefinition { get; }

    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

    public override IInvocationFeatures Features => _features;

    /// <summary>The answer the worker would send: the invocation result, once middleware or the function has set it.</summary>
    public TestResponse? Response => this.GetInvocationResult().Value as TestResponse;

    private sealed class Definition(string name) : FunctionDefinition
    {
        public override ImmutableArray<FunctionParameter> Parameters => [];

        public override string PathToAssembly => typeof(Definition).Assembly.Location;

        public override string EntryPoint => name;

        public override string Id { get; } = Guid.NewGuid().ToString();

        public override string Name => name;

        public override IImmutableDictionary<string, BindingMetadata> InputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;

        public override IImmutableDictionary<string, BindingMetadata> OutputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;
    }

    private sealed class FeatureSet : IInvocationFeatures
    {
        private readonly Dictionary<Type, object> _byType = [];

        public void Set(Type type, object instance) => _byType[type] = instance;

        public void Set<T>(T instance) => _byType[typeof(T)] = instance!;

        public T? Get<T>() => _byType.TryGetValue(typeof(T), out var instance) ? (T)instance : default;

        public IEnumerator<KeyValuePair<Type, object>> GetEnumerator() => _byType.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class RequestFeature(HttpRequestData request) : IHttpRequestDataFeature
    {
        public ValueTask<HttpRequestData?> GetHttpRequestDataAsync(FunctionContext context) => new(request);
    }

    /// <summary>Holds the invocation result and output data, as the worker's own bindings feature does.</summary>
    public class BindingsProxy : DispatchProxy
    {
        private readonly Dictionary<string, object?> _output = [];
        private object? _result;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            "get_InvocationResult" => _result,
            "set_InvocationResult" => _result = args![0],
            "get_OutputBindingData" => _output,
            "get_TriggerMetadata" or "get_InputData" => new Dictionary<string, object?>(),
            _ => throw new NotSupportedException(targetMethod?.Name),
        };
    }

    private sealed class TestRequest(FunctionContext context, string? authorization, string? dpop) : HttpRequestData(context)
    {
        public override Stream Body { get; } = new MemoryStream();

        public override HttpHeadersCollection Headers { get; } = new(new (string Name, string? Value)[] { ("Authorization", authorization), ("DPoP", dpop) }
            .Where(header => header.Value is not null)
            .Select(header => KeyValuePair.Create(header.Name, header.Value!)));

        public override IReadOnlyCollection<IHttpCookie> Cookies => [];

        public override Uri Url { get; } = new("http://127.0.0.1/api/" + context.FunctionDefinition.Name);

        public override IEnumerable<ClaimsIdentity> Identities => [];

        public override string Method => "GET";

        public override HttpResponseData CreateResponse() => new TestResponse(FunctionContext);
    }

    private sealed class EmptyServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}

/// <summary>A response built in this process, its body kept for the test to read.</summary>
public sealed class TestResponse(FunctionContext context) : HttpResponseData(context)
{
    public override System.Net.HttpStatusCode StatusCode { get; set; }

    public override HttpHeadersCollection Headers { get; set; } = [];

    public override Stream Body { get; set; } = new MemoryStream();

    public override HttpCookies Cookies => throw new NotSupportedException();

    public string BodyText => System.Text.Encoding.UTF8.GetString(((MemoryStream)Body).ToArray());

    public string Header(string name) => Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : string.Empty;
}
