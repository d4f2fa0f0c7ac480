using System.Globalization;
using FunctionApp.Auth;
using FunctionApp.Tests.Support;
using Microsoft.Extensions.Options;
using static FunctionApp.Tests.Support.BoundOptions;

namespace FunctionApp.Tests.Auth;

/// <summary>The settings of the token checks as <see cref="Auth0Options"/> reads them, and each bad value refused at start-up with a message naming the setting.</summary>
public sealed class Auth0OptionsValidationTests
{
    [Theory]
    [InlineData("tenant.auth0.com")]
    [InlineData("https://tenant.auth0.com")]
    [InlineData("https://tenant.auth0.com/")]
    [InlineData(" tenant.auth0.com ")]
    public void Domain_forms_resolve_to_the_same_authority_and_issuer(string domain)
    {
        var options = Accepted(("Auth0__Domain", domain));

        var only = Assert.Single(options.TenantDomains);
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
        var options = Accepted(("Auth0__Domain", domain));

        Assert.False(Assert.Single(options.TenantDomains).RequireHttps);
    }

    [Theory]
    [InlineData("http://tenant.auth0.com")]
    [InlineData("http://10.0.0.1")]
    [InlineData("ftp://tenant.auth0.com")]
    [InlineData("https://tenant.auth0.com/path")]
    [InlineData("https://tenant.auth0.com/?q=1")]
    [InlineData("https://user@tenant.auth0.com/")]
    [InlineData("https://tenant.auth0.com/#part")]
    [InlineData("tenant.auth0.com,http://tenant.example")]
    public void Domain_is_refused_unless_https_or_loopback_http_without_path(string domain)
    {
        Assert.StartsWith("Auth0__Domain must be", Refused(("Auth0__Domain", domain)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Domain_is_required(string? domain)
    {
        Assert.StartsWith("Auth0__Domain is required", Refused(("Auth0__Domain", domain)), StringComparison.Ordinal);
    }

    [Fact]
    public void Audience_is_required()
    {
        Assert.StartsWith("Auth0__ApiAudience is required", Refused(("Auth0__ApiAudience", "")), StringComparison.Ordinal);
    }

    [Fact]
    public void Issuer_setting_replaces_the_default_exactly()
    {
        var options = Accepted(("Auth0__Issuer", "https://login.example.com/"));

        Assert.Equal("https://login.example.com/", Assert.Single(options.TenantDomains).Issuer);
    }

    [Fact]
    public void Several_domains_each_get_their_issuer_in_order()
    {
        var options = Accepted(("Auth0__Domain", "tenant.auth0.com, https://login.example.com"));

        Assert.Equal(["https://tenant.auth0.com/", "https://login.example.com/"], options.TenantDomains.Select(d => d.Issuer));
    }

    [Fact]
    public void An_issuer_list_gives_each_domain_its_issuer_in_order()
    {
        var options = Accepted(("Auth0__Domain", "tenant.auth0.com,login.example.com"), ("Auth0__Issuer", "https://a.example/, https://b.example/"));

        Assert.Equal(["https://a.example/", "https://b.example/"], options.TenantDomains.Select(d => d.Issuer));
    }

    [Theory]
    [InlineData("https://a.example/")]
    [InlineData("https://a.example/,https://b.example/,https://c.example/")]
    [InlineData("https://a.example/,not a uri")]
    public void An_issuer_list_that_does_not_match_the_domains_stops_start_up(string issuers)
    {
        var error = Refused(("Auth0__Domain", "tenant.auth0.com,login.example.com"), ("Auth0__Issuer", issuers));

        Assert.StartsWith("Auth0__Issuer must be empty, or list one absolute URI per entry of Auth0__Domain", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tenant.auth0.com,,login.example.com", "https://api.test/", "Auth0__Domain has an empty entry")]
    [InlineData("tenant.auth0.com,", "https://api.test/", "Auth0__Domain has an empty entry")]
    [InlineData("tenant.auth0.com", "https://api.test/,", "Auth0__ApiAudience has an empty entry")]
    [InlineData("tenant.auth0.com,https://tenant.auth0.com/", "https://api.test/", "Auth0__Domain and Auth0__Issuer name the same issuer twice")]
    public void Empty_entries_and_repeated_issuers_stop_start_up(string domains, string audiences, string message)
    {
        Assert.StartsWith(message, Refused(("Auth0__Domain", domains), ("Auth0__ApiAudience", audiences)), StringComparison.Ordinal);
    }

    [Fact]
    public void Several_audiences_are_all_kept()
    {
        var options = Accepted(("Auth0__ApiAudience", "https://api.test/, https://other.test/"));

        Assert.Equal(["https://api.test/", "https://other.test/"], options.Audiences);
    }

    [Fact]
    public void Lists_may_also_be_given_entry_by_entry()
    {
        var options = Accepted(
            ("Auth0__Domain", null), ("Auth0__Domain__0", "tenant.auth0.com"), ("Auth0__Domain__1", "login.example.com"),
            ("Auth0__Algorithms__0", "RS256"), ("Auth0__Algorithms__1", "PS256"));

        Assert.Equal(["https://tenant.auth0.com/", "https://login.example.com/"], options.TenantDomains.Select(d => d.Issuer));
        Assert.Equal(["RS256", "PS256"], options.Algorithms);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("HS256")]
    [InlineData("RS256,HS256")]
    [InlineData("rs256")]
    [InlineData(" , ")]
    public void Algorithms_refuse_none_hmac_and_unknown_names(string algorithms)
    {
        Assert.StartsWith("Auth0__Algorithms must list", Refused(("Auth0__Algorithms", algorithms)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("RS384")]
    [InlineData("RS512")]
    [InlineData("PS256")]
    [InlineData("PS384")]
    [InlineData("PS512")]
    [InlineData("ES256")]
    [InlineData("ES384")]
    [InlineData("ES512")]
    public void Algorithms_accept_each_RSA_RSASSA_PSS_and_ECDSA_name(string algorithm)
    {
        Assert.Equal([algorithm], Accepted(("Auth0__Algorithms", algorithm)).Algorithms);
    }

    [Fact]
    public void Algorithms_are_parsed_from_a_comma_separated_list()
    {
        Assert.Equal(["RS256", "PS256"], Accepted(("Auth0__Algorithms", "RS256, PS256")).Algorithms);
    }

    [Fact]
    public void A_stray_comma_in_the_algorithms_is_no_entry()
    {
        Assert.Equal(["RS256"], Accepted(("Auth0__Algorithms", "RS256,")).Algorithms);
    }

    [Fact]
    public void An_entry_given_as_a_section_instead_of_a_value_is_an_empty_entry()
    {
        Assert.StartsWith(
            "Auth0__ApiAudience has an empty entry",
            Refused(("Auth0__ApiAudience", null), ("Auth0__ApiAudience__0__Value", "https://api.test/")),
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void Tokens_are_required_by_default_only_when_the_setting_says_so(string? setting, bool required)
    {
        Assert.Equal(required, Accepted(("Auth0__RequireAccessTokenByDefault", setting)).RequireAccessTokenByDefault);
    }

    [Fact]
    public void Defaults_are_strict_and_documented()
    {
        var options = Accepted();
        var documented = DocumentedDefaults();

        Assert.Equal(["RS256"], options.Algorithms);
        Assert.Equal("`RS256`", documented["Auth0__Algorithms"]);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ClockSkew);
        Assert.Equal("`30`", documented["Auth0__ClockSkewSeconds"]);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MinimumRefreshInterval);
        Assert.Equal("`30`", documented["Auth0__MinimumRefreshIntervalSeconds"]);
        Assert.Equal(TimeSpan.FromSeconds(5), options.MetadataTimeout);
        Assert.Equal("`5`", documented["Auth0__MetadataTimeoutSeconds"]);
        Assert.Equal(16 * 1024, options.VerifiedTokenMemoryKilobytes);
        Assert.StartsWith("`16384`", documented["Auth0__VerifiedTokenMemoryKilobytes"], StringComparison.Ordinal);
        Assert.Equal(ErrorContract.Sample, options.ErrorContract);
        Assert.Equal("`Sample`", documented["Auth0__ErrorContract"]);
    }

    // The Default column of docs/settings.md's table of settings (Setting, Property, Required, Default, Meaning), by setting.
    private static Dictionary<string, string> DocumentedDefaults() =>
        RepositoryFiles.Read("docs/settings.md").Split('\n')
            .Select(line => line.Trim().Split('|', StringSplitOptions.TrimEntries))
            .Where(cells => cells.Length == 7 && cells[1].StartsWith("`Auth0__", StringComparison.Ordinal))
            .ToDictionary(cells => cells[1].Trim('`'), cells => cells[4], StringComparer.Ordinal);

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
        var error = Refused(
            ("Auth0__ClockSkewSeconds", Text(skew)),
            ("Auth0__MinimumRefreshIntervalSeconds", Text(refresh)),
            ("Auth0__MetadataTimeoutSeconds", Text(timeout)),
            ("Auth0__VerifiedTokenMemoryKilobytes", Text(memoryKilobytes)));

        Assert.StartsWith(setting, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 30, 5, 1024)]
    [InlineData(300, 30, 5, 1024)]
    [InlineData(30, 1, 5, 1024)]
    [InlineData(30, 86_400, 5, 1024)]
    [InlineData(30, 30, 1, 1024)]
    [InlineData(30, 30, 60, 1024)]
    [InlineData(30, 30, 5, 0)]
    [InlineData(30, 30, 5, 4 * 1024 * 1024)]
    public void Numeric_settings_at_either_end_of_their_range_are_accepted(int skew, int refresh, int timeout, int memoryKilobytes)
    {
        var options = Accepted(
            ("Auth0__ClockSkewSeconds", Text(skew)),
            ("Auth0__MinimumRefreshIntervalSeconds", Text(refresh)),
            ("Auth0__MetadataTimeoutSeconds", Text(timeout)),
            ("Auth0__VerifiedTokenMemoryKilobytes", Text(memoryKilobytes)));

        Assert.Equal(
            (TimeSpan.FromSeconds(skew), TimeSpan.FromSeconds(refresh), TimeSpan.FromSeconds(timeout), memoryKilobytes),
            (options.ClockSkew, options.MinimumRefreshInterval, options.MetadataTimeout, options.VerifiedTokenMemoryKilobytes));
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("Sample", ErrorContract.Sample)]
    [InlineData("rfc6750", ErrorContract.Rfc6750)]
    public void Error_contract_is_read_by_name(string value, ErrorContract expected)
    {
        Assert.Equal(expected, Accepted(("Auth0__ErrorContract", value)).ErrorContract);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("Sample,Rfc6750")]
    [InlineData("OAuth")]
    public void Error_contract_refuses_anything_but_a_name(string value)
    {
        Assert.Equal("Auth0__ErrorContract must be Sample or Rfc6750.", Refused(("Auth0__ErrorContract", value)));
    }

    [Fact]
    public void What_the_app_s_code_sets_wins_over_the_settings()
    {
        var options = BoundOptions.Of(
            [("Auth0__ClockSkewSeconds", "60"), ("Auth0__ErrorContract", "Sample")],
            o => (o.ClockSkew, o.ErrorContract) = (TimeSpan.FromSeconds(5), ErrorContract.Rfc6750)).Value;

        Assert.Equal(TimeSpan.FromSeconds(5), options.ClockSkew);
        Assert.Equal(ErrorContract.Rfc6750, options.ErrorContract);
    }

    [Fact]
    public void What_the_app_s_code_sets_is_checked_as_the_settings_are()
    {
        Assert.Equal(
            "Auth0__ClockSkewSeconds must be between 0 and 300.",
            Assert.Throws<OptionsValidationException>(() => BoundOptions.Of(o => o.ClockSkew = TimeSpan.FromMinutes(10))).Message);
        Assert.Equal(
            "Auth0__ErrorContract must be Sample or Rfc6750.",
            Assert.Throws<OptionsValidationException>(() => BoundOptions.Of(o => o.ErrorContract = (ErrorContract)7)).Message);
    }
}
