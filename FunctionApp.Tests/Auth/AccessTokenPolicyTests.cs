using FunctionApp.Auth;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Auth;

public sealed class AccessTokenPolicyTests
{
    private static Auth0Options Options(string? domain = "tenant.auth0.com", string? audience = "https://api.test/") =>
        new() { Domain = domain, ApiAudience = audience };

    [Theory]
    [InlineData("tenant.auth0.com")]
    [InlineData("https://tenant.auth0.com")]
    [InlineData("https://tenant.auth0.com/")]
    [InlineData(" tenant.auth0.com ")]
    public void Domain_forms_resolve_to_the_same_authority_and_issuer(string domain)
    {
        var settings = AccessTokenPolicy.TryResolve(Options(domain), out var error);

        Assert.Null(error);
        var only = Assert.Single(settings!.Domains);
        Assert.Equal("https://tenant.auth0.com/", only.Authority.AbsoluteUri);
        Assert.Equal("https://tenant.auth0.com/", only.Issuer);
        Assert.Equal("https://tenant.auth0.com/.well-known/openid-configuration", only.MetadataAddress.AbsoluteUri);
        Assert.True(only.RequireHttps);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("http://localhost:5000/")]
    [InlineData("http://[::1]:5000/")]
    public void Http_is_allowed_for_a_loopback_authority(string domain)
    {
        var settings = AccessTokenPolicy.TryResolve(Options(domain), out _);

        Assert.NotNull(settings);
        Assert.False(Assert.Single(settings.Domains).RequireHttps);
    }

    [Theory]
    [InlineData("http://tenant.auth0.com")]
    [InlineData("http://10.0.0.1")]
    [InlineData("ftp://tenant.auth0.com")]
    [InlineData("https://tenant.auth0.com/path")]
    [InlineData("https://tenant.auth0.com/?q=1")]
    [InlineData("https://user@tenant.auth0.com/")]
    public void Domain_is_refused_unless_https_or_loopback_http_without_path(string domain)
    {
        Assert.Null(AccessTokenPolicy.TryResolve(Options(domain), out var error));
        Assert.StartsWith("Auth0__Domain must be", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Domain_is_required(string? domain)
    {
        Assert.Null(AccessTokenPolicy.TryResolve(Options(domain), out var error));
        Assert.StartsWith("Auth0__Domain is required", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Audience_is_required()
    {
        Assert.Null(AccessTokenPolicy.TryResolve(Options(audience: ""), out var error));
        Assert.StartsWith("Auth0__ApiAudience is required", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Issuer_setting_replaces_the_default_exactly()
    {
        var options = Options();
        options.Issuer = "https://login.example.com/";

        Assert.Equal("https://login.example.com/", Assert.Single(AccessTokenPolicy.TryResolve(options, out _)!.Domains).Issuer);
    }

    [Fact]
    public void Several_domains_each_get_their_issuer_in_order()
    {
        var policy = AccessTokenPolicy.TryResolve(Options("tenant.auth0.com, https://login.example.com"), out var error);

        Assert.Null(error);
        Assert.Equal(["https://tenant.auth0.com/", "https://login.example.com/"], policy!.Domains.Select(d => d.Issuer));
    }

    [Fact]
    public void An_issuer_list_gives_each_domain_its_issuer_in_order()
    {
        var options = Options("tenant.auth0.com,login.example.com");
        options.Issuer = "https://a.example/, https://b.example/";

        Assert.Equal(["https://a.example/", "https://b.example/"], AccessTokenPolicy.TryResolve(options, out _)!.Domains.Select(d => d.Issuer));
    }

    [Theory]
    [InlineData("https://a.example/")]
    [InlineData("https://a.example/,https://b.example/,https://c.example/")]
    [InlineData("https://a.example/,not a uri")]
    public void An_issuer_list_that_does_not_match_the_domains_stops_start_up(string issuers)
    {
        var options = Options("tenant.auth0.com,login.example.com");
        options.Issuer = issuers;

        Assert.Null(AccessTokenPolicy.TryResolve(options, out var error));
        Assert.StartsWith("Auth0__Issuer must be empty, or list one absolute URI per entry of Auth0__Domain", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tenant.auth0.com,,login.example.com", "https://api.test/", "Auth0__Domain has an empty entry")]
    [InlineData("tenant.auth0.com,", "https://api.test/", "Auth0__Domain has an empty entry")]
    [InlineData("tenant.auth0.com", "https://api.test/,", "Auth0__ApiAudience has an empty entry")]
    [InlineData("tenant.auth0.com,https://tenant.auth0.com/", "https://api.test/", "Auth0__Domain and Auth0__Issuer name the same issuer twice")]
    public void Empty_entries_and_repeated_issuers_stop_start_up(string domains, string audiences, string message)
    {
        Assert.Null(AccessTokenPolicy.TryResolve(Options(domains, audiences), out var error));
        Assert.StartsWith(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_audiences_are_all_kept()
    {
        var policy = AccessTokenPolicy.TryResolve(Options(audience: "https://api.test/, https://other.test/"), out _);

        Assert.Equal(["https://api.test/", "https://other.test/"], policy!.Audiences);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("HS256")]
    [InlineData("RS256,HS256")]
    [InlineData("rs256")]
    [InlineData(" , ")]
    public void Algorithms_refuse_none_hmac_and_unknown_names(string algorithms)
    {
        var options = Options();
        options.Algorithms = algorithms;

        Assert.Null(AccessTokenPolicy.TryResolve(options, out var error));
        Assert.StartsWith("Auth0__Algorithms must list", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Algorithms_are_parsed_from_a_comma_separated_list()
    {
        var options = Options();
        options.Algorithms = "RS256, PS256";

        Assert.Equal(["RS256", "PS256"], AccessTokenPolicy.TryResolve(options, out _)!.Algorithms);
    }

    [Fact]
    public void Defaults_are_strict_and_documented()
    {
        var settings = AccessTokenPolicy.TryResolve(Options(), out _)!;
        var documented = DocumentedDefaults();

        Assert.Equal(["RS256"], settings.Algorithms);
        Assert.Equal("`RS256`", documented["Auth0__Algorithms"]);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.ClockSkew);
        Assert.Equal("`30`", documented["Auth0__ClockSkewSeconds"]);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.MinimumRefreshInterval);
        Assert.Equal("`30`", documented["Auth0__MinimumRefreshIntervalSeconds"]);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.MetadataTimeout);
        Assert.Equal("`5`", documented["Auth0__MetadataTimeoutSeconds"]);
        Assert.Equal(16L * 1024 * 1024, settings.VerifiedTokenMemoryBytes);
        Assert.StartsWith("`16384`", documented["Auth0__VerifiedTokenMemoryKilobytes"], StringComparison.Ordinal);
        Assert.Equal(ErrorContract.Sample, settings.ErrorContract);
        Assert.Equal("`Sample`", documented["Auth0__ErrorContract"]);
    }

    // The Default column of docs/settings.md's table of settings (Setting, Required, Default, Meaning), by setting.
    private static Dictionary<string, string> DocumentedDefaults() =>
        RepositoryFiles.Read("docs/settings.md").Split('\n')
            .Select(line => line.Trim().Split('|', StringSplitOptions.TrimEntries))
            .Where(cells => cells.Length == 6 && cells[1].StartsWith("`Auth0__", StringComparison.Ordinal))
            .ToDictionary(cells => cells[1].Trim('`'), cells => cells[3], StringComparer.Ordinal);

    [Theory]
    [InlineData(-1, 30, 5, "Auth0__ClockSkewSeconds")]
    [InlineData(301, 30, 5, "Auth0__ClockSkewSeconds")]
    [InlineData(30, 0, 5, "Auth0__MinimumRefreshIntervalSeconds")]
    [InlineData(30, 86_401, 5, "Auth0__MinimumRefreshIntervalSeconds")]
    [InlineData(30, 30, 0, "Auth0__MetadataTimeoutSeconds")]
    [InlineData(30, 30, 61, "Auth0__MetadataTimeoutSeconds")]
    [InlineData(30, 30, 5, "Auth0__VerifiedTokenMemoryKilobytes", -1)]
    [InlineData(30, 30, 5, "Auth0__VerifiedTokenMemoryKilobytes", (4 * 1024 * 1024) + 1)]
    public void Numeric_settings_out_of_range_are_named(int skew, int refresh, int timeout, string setting, int memoryKilobytes = 1024)
    {
        var options = Options();
        options.ClockSkewSeconds = skew;
        options.MinimumRefreshIntervalSeconds = refresh;
        options.MetadataTimeoutSeconds = timeout;
        options.VerifiedTokenMemoryKilobytes = memoryKilobytes;

        Assert.Null(AccessTokenPolicy.TryResolve(options, out var error));
        Assert.StartsWith(setting, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Sample", ErrorContract.Sample)]
    [InlineData("rfc6750", ErrorContract.Rfc6750)]
    public void Error_contract_is_read_by_name(string value, ErrorContract expected)
    {
        var options = Options();
        options.ErrorContract = value;

        Assert.Equal(expected, AccessTokenPolicy.TryResolve(options, out _)!.ErrorContract);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("Sample,Rfc6750")]
    [InlineData("OAuth")]
    public void Error_contract_refuses_anything_but_a_name(string value)
    {
        var options = Options();
        options.ErrorContract = value;

        Assert.Null(AccessTokenPolicy.TryResolve(options, out var error));
        Assert.Equal("Auth0__ErrorContract must be Sample or Rfc6750.", error);
    }
}
