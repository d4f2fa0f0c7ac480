using System.Collections.Frozen;
using System.Net;

namespace FunctionApp.Auth;

/// <summary>How one <see cref="ErrorContract"/> answers rejections: the status and JSON body of each, for the middleware and the API docs.</summary>
internal abstract class ErrorContractAnswers
{
    private readonly Lazy<FrozenDictionary<TokenRejection, byte[]>> _bodies;

    // Every body is built once, on first use, so that answering a rejection allocates none.
    protected ErrorContractAnswers() =>
        _bodies = new(() => TokenRejection.All.ToFrozenDictionary(rejection => rejection, rejection => Describe(rejection).ToUtf8Json()));

    /// <summary>The answers of <paramref name="contract"/>: the one place a value of the setting meets its type.</summary>
    public static ErrorContractAnswers For(ErrorContract contract) => contract switch
    {
        ErrorContract.Sample => new SampleErrorContract(),
        ErrorContract.Rfc6750 => new Rfc6750ErrorContract(),
        _ => throw new ArgumentOutOfRangeException(nameof(contract), contract, "This error contract has no answers."),
    };

    /// <summary>The HTTP status <paramref name="rejection"/> is answered with.</summary>
    public abstract HttpStatusCode Status(TokenRejection rejection);

    /// <summary>The body <paramref name="rejection"/> is answered with: what <see cref="Body"/> writes and the API docs describe.</summary>
    public abstract ErrorBody Describe(TokenRejection rejection);

    /// <summary>The UTF-8 JSON body <paramref name="rejection"/> is answered with.</summary>
    public ReadOnlyMemory<byte> Body(TokenRejection rejection) =>
        // An app's own refusal (TokenRejection.RefusedByApp) has a reason of its own, and so a body of its own.
        _bodies.Value.TryGetValue(rejection, out var body) ? body : Describe(rejection).ToUtf8Json();
}
