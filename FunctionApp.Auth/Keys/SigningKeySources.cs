using System.Collections.Frozen;

namespace FunctionApp.Auth;

/// <summary>The signing keys of every configured domain, each domain's from its own source, found by issuer.</summary>
internal sealed class SigningKeySources
{
    private readonly FrozenDictionary<string, SigningKeySource> _byIssuer;

    public SigningKeySources(IEnumerable<SigningKeySource> sources, AccessTokenTelemetry telemetry)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        All = [.. sources];
        _byIssuer = All.ToFrozenDictionary(source => source.Domain.Issuer, StringComparer.Ordinal);
        telemetry.ObserveMemory(() => All.Select(source => source.Current?.Memory).OfType<VerifiedTokenMemory>());
    }

    public IReadOnlyList<SigningKeySource> All { get; }

    /// <summary>The source of the domain whose issuer <paramref name="issuer"/> is; false for any other issuer.</summary>
    public bool TryGet(string issuer, out SigningKeySource source) => _byIssuer.TryGetValue(issuer, out source!);
}
