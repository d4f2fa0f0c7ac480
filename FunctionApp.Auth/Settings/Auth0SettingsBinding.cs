using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FunctionApp.Auth;

/// <summary>
/// Reads the <c>Auth0__*</c> settings into <see cref="Auth0Options"/>, each under the name docs/settings.md gives it:
/// durations in whole seconds (or milliseconds), lists comma-separated or indexed (<c>Auth0__Domain__0</c>), enums by
/// name. An absent setting leaves its default. A value that is not of the setting's type fails as the configuration
/// binder's own does, for <see cref="BadSettingExit"/> to name the setting without the value.
/// </summary>
internal sealed class Auth0SettingsBinding(IConfiguration section) : IConfigureOptions<Auth0Options>
{
    public void Configure(Auth0Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Domains = Entries("Domain") ?? options.Domains;
        options.Audiences = Distinct(Entries("ApiAudience")) ?? options.Audiences;
        options.Issuers = Entries("Issuer") ?? options.Issuers;
        options.RequireAccessTokenByDefault = section.GetValue("RequireAccessTokenByDefault", options.RequireAccessTokenByDefault);
        options.Algorithms = Names("Algorithms") ?? options.Algorithms;
        options.ClockSkew = Seconds("ClockSkewSeconds") ?? options.ClockSkew;
        options.MinimumRefreshInterval = Seconds("MinimumRefreshIntervalSeconds") ?? options.MinimumRefreshInterval;
        options.ErrorContract = Member<ErrorContract>("ErrorContract") ?? options.ErrorContract;
        options.VerifiedTokenMemoryKilobytes = section.GetValue("VerifiedTokenMemoryKilobytes", options.VerifiedTokenMemoryKilobytes);
        options.MetadataTimeout = Seconds("MetadataTimeoutSeconds") ?? options.MetadataTimeout;
        options.DPoPMode = Member<DPoPMode>("DPoPMode") ?? options.DPoPMode;
        options.DPoPAlgorithms = Names("DPoPAlgorithms") ?? options.DPoPAlgorithms;
        options.DPoPProofMaxAge = Seconds("DPoPProofMaxAgeSeconds") ?? options.DPoPProofMaxAge;
        options.DPoPNonceSecret = section["DPoPNonceSecret"] ?? options.DPoPNonceSecret;
        options.DPoPNonceLifetime = Seconds("DPoPNonceLifetimeSeconds") ?? options.DPoPNonceLifetime;
        options.DPoPPublicBaseUrls = Entries("DPoPPublicBaseUrl") ?? options.DPoPPublicBaseUrls;
        options.DPoPTrustForwardedHeaders = section.GetValue("DPoPTrustForwardedHeaders", options.DPoPTrustForwardedHeaders);
        options.DPoPReplayMemoryKilobytes = section.GetValue("DPoPReplayMemoryKilobytes", options.DPoPReplayMemoryKilobytes);
        options.DPoPReplayStore = Member<DPoPReplayStoreKind>("DPoPReplayStore") ?? options.DPoPReplayStore;
        options.DPoPReplayRedis = section["DPoPReplayRedis"] ?? options.DPoPReplayRedis;
        options.DPoPReplayRedisIdentity = Member<DPoPReplayRedisIdentity>("DPoPReplayRedisIdentity") ?? options.DPoPReplayRedisIdentity;
        options.DPoPReplayRedisIdentityClientId = section["DPoPReplayRedisIdentityClientId"] ?? options.DPoPReplayRedisIdentityClientId;
        options.DPoPReplayRedisTimeout = Milliseconds("DPoPReplayRedisTimeoutMilliseconds") ?? options.DPoPReplayRedisTimeout;
        options.DPoPReplayRedisFallbackToMemory = section.GetValue("DPoPReplayRedisFallbackToMemory", options.DPoPReplayRedisFallbackToMemory);
    }

    // The indexed entries when there are any, else the value's comma-separated ones, trimmed; a blank value is an empty
    // list, an absent one null. Empty entries stay, for the validator to refuse.
    private string[]? Entries(string key)
    {
        var setting = section.GetSection(key);
        string[] indexed = [.. setting.GetChildren().Select(entry => entry.Value?.Trim() ?? string.Empty)];
        return indexed.Length > 0 ? indexed
            : setting.Value is not { } value ? null
            : string.IsNullOrWhiteSpace(value) ? []
            : value.Split(',', StringSplitOptions.TrimEntries);
    }

    private static string[]? Distinct(string[]? entries) => entries is null ? null : [.. entries.Distinct(StringComparer.Ordinal)];

    // Algorithm names: a stray comma is no entry, and a name given twice counts once.
    private string[]? Names(string key) => Distinct(Entries(key)?.Where(name => name.Length > 0).ToArray());

    private TimeSpan? Seconds(string key) => WholeNumber(key) is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

    private TimeSpan? Milliseconds(string key) => WholeNumber(key) is { } milliseconds ? TimeSpan.FromMilliseconds(milliseconds) : null;

    // GetValue converts as the binder does and, for a value that is not a whole number, fails with the binder's message.
    private int? WholeNumber(string key) => section[key] is null ? null : section.GetValue<int>(key);

    // A name, in any case, and nothing else: Enum.Parse would also take "1", "A,B" or " A". Anything else is bound as no
    // member at all, for the validator to name the setting when its rule's turn comes.
    private TEnum? Member<TEnum>(string key)
        where TEnum : struct, Enum =>
        section[key] is not { } text ? null
        : Enum.GetNames<TEnum>().FirstOrDefault(name => string.Equals(name, text, StringComparison.OrdinalIgnoreCase)) is { } name
            ? Enum.Parse<TEnum>(name)
            : (TEnum)Enum.ToObject(typeof(TEnum), -1);
}
