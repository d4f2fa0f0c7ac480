using System.Collections.Immutable;
using System.Reflection;
using System.Security.Claims;
using FunctionApp.Functions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Tests.Support;

/// <summary>
/// An invocation of an HTTP-triggered function as the worker hands it to middleware, built in this process: its
/// request, its definition, and the result slot the worker reads the response from. The definition names the app's
/// own method for <paramref name="functionName"/> unless <paramref name="entryPoint"/> says otherwise.
/// </summary>
public sealed class TestFunctionContext : FunctionContext
{
    private readonly FeatureSet _features = new();

    public TestFunctionContext(
        string functionName, string? authorization, string? dpop = null, string? entryPoint = null, string? pathToAssembly = null, bool unparsableUrl = false)
    {
        FunctionDefinition = new Definition(functionName, entryPoint ?? AppEntryPoint(functionName), pathToAssembly ?? typeof(ApiFunctions).Assembly.Location);
        Request = new TestRequest(this, authorization, dpop, unparsableUrl);
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

    /// <summary>The entry point of <paramref name="type"/>'s method <paramref name="method"/>, as the worker's metadata writes it.</summary>
    public static string EntryPointOf(Type type, string method) => $"{type.FullName}.{method}";

    private static string AppEntryPoint(string functionName) =>
        typeof(ApiFunctions).GetMethods()
            .Where(m => m.GetCustomAttribute<FunctionAttribute>()?.Name == functionName)
            .Select(m => EntryPointOf(typeof(ApiFunctions), m.Name))
            .SingleOrDefault() ?? functionName;

    private sealed class Definition(string name, string entryPoint, string pathToAssembly) : FunctionDefinition
    {
        public override ImmutableArray<FunctionParameter> Parameters => [];

        public override string PathToAssembly => pathToAssembly;

        public override string EntryPoint => entryPoint;

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

    private sealed class TestRequest(FunctionContext context, string? authorization, string? dpop, bool unparsableUrl) : HttpRequestData(context)
    {
        public override Stream Body { get; } = new MemoryStream();

        public override HttpHeadersCollection Headers { get; } = new(new (string Name, string? Value)[] { ("Authorization", authorization), ("DPoP", dpop) }
            .Where(header => header.Value is not null)
            .Select(header => KeyValuePair.Create(header.Name, header.Value!)));

        public override IReadOnlyCollection<IHttpCookie> Cookies => [];

        private readonly Uri _url = new("http://127.0.0.1/api/" + context.FunctionDefinition.Name);

        // As the worker's own request throws when the host's URL does not parse (a Host header such as 127.0.0.1:99999).
        public override Uri Url => unparsableUrl ? throw new UriFormatException("Invalid URI: Invalid port specified.") : _url;

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
