using FunctionApp.Auth;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Auth;

/// <summary>
/// Whether a proof's htu names its request's URL (RFC 9449 4.3, check 9): compared after the normalisation of RFC 3986
/// 6.2.2 and 6.2.3, without query and fragment; the URL is the one the host reports, a configured public base URL,
/// or the forwarded scheme and host when a setting trusts them.
/// </summary>
public sealed class ProofTargetTests
{
    private const string Reported = "https://app.example/api/private";

    private static Auth0Options Policy(string? publicBaseUrl = null, bool trustForwarded = false) =>
        BoundOptions.Of(("Auth0__DPoPPublicBaseUrl", publicBaseUrl), ("Auth0__DPoPTrustForwardedHeaders", trustForwarded ? "true" : "false")).Value;

    private static bool Matches(
        string htu, string url = Reported, Auth0Options? policy = null, string? forwardedProto = null, string? forwardedHost = null) =>
        ProofTarget.Matches(htu, new ProtectedRequest("DPoP token", "proof", "GET", new Uri(url), forwardedProto, forwardedHost), policy ?? Policy());

    [Fact]
    public void The_URL_the_request_was_sent_to_matches()
    {
        Assert.True(Matches(Reported));
    }

    [Theory]
    [InlineData("HTTPS://app.example/api/private", "https://app.example/api/private")]
    [InlineData("https://APP.Example/api/private", "https://app.example/api/private")]
    [InlineData("https://app.example/api/private", "https://APP.EXAMPLE/api/private")]
    public void Scheme_and_host_are_compared_without_case(string htu, string url)
    {
        Assert.True(Matches(htu, url));
    }

    [Theory]
    [InlineData("https://app.example:443/api/private", "https://app.example/api/private")]
    [InlineData("https://app.example/api/private", "https://app.example:443/api/private")]
    [InlineData("http://localhost:80/api/private", "http://localhost/api/private")]
    public void A_default_port_written_out_is_the_same_as_none(string htu, string url)
    {
        Assert.True(Matches(htu, url));
    }

    [Theory]
    [InlineData("https://app.example:8443/api/private", "https://app.example/api/private")]
    [InlineData("https://app.example/api/private", "https://app.example:8443/api/private")]
    [InlineData("https://app.example:80/api/private", "https://app.example/api/private")]
    [InlineData("http://localhost:7071/api/private", "http://localhost:7072/api/private")]
    public void An_explicit_port_other_than_the_default_is_a_different_URL(string htu, string url)
    {
        Assert.False(Matches(htu, url));
    }

    [Fact]
    public void The_same_explicit_non_default_port_on_both_sides_matches()
    {
        Assert.True(Matches("http://localhost:7071/api/private", "http://localhost:7071/api/private"));
    }

    [Theory]
    [InlineData("https://app.example/api/./private")]
    [InlineData("https://app.example/api/x/../private")]
    [InlineData("https://app.example/./api/private")]
    [InlineData("https://app.example/api/%2E/private")]
    [InlineData("https://app.example/other/%2E%2E/api/private")]
    public void Dot_segments_are_removed_before_comparing(string htu)
    {
        Assert.True(Matches(htu));
    }

    [Theory]
    [InlineData("https://app.example/api/a%2fb", "https://app.example/api/a%2Fb")]
    [InlineData("https://app.example/api/a%2Fb", "https://app.example/api/a%2fb")]
    [InlineData("https://app.example/api/caf%c3%a9", "https://app.example/api/caf%C3%A9")]
    [InlineData("https://app.example/api/a%3ab", "https://app.example/api/a%3Ab")]
    public void The_hex_digits_of_a_percent_encoding_are_compared_without_case(string htu, string url)
    {
        Assert.True(Matches(htu, url));
    }

    [Theory]
    [InlineData("https://app.example/api/%7Euser", "https://app.example/api/~user")]
    [InlineData("https://app.example/api/~user", "https://app.example/api/%7Euser")]
    [InlineData("https://app.example/api/%7euser", "https://app.example/api/~user")]
    [InlineData("https://app.example/api/%70rivate", "https://app.example/api/private")]
    [InlineData("https://app.example/api/a%2Db%5Fc%2E", "https://app.example/api/a-b_c.")]
    public void A_percent_encoded_unreserved_character_is_the_same_as_the_character(string htu, string url)
    {
        Assert.True(Matches(htu, url));
    }

    [Theory]
    [InlineData("https://app.example/api/a%2Fb", "https://app.example/api/a/b")]
    [InlineData("https://app.example/api/a%3Fb", "https://app.example/api/a?b")]
    public void A_percent_encoded_reserved_character_is_not_the_same_as_the_character(string htu, string url)
    {
        Assert.False(Matches(htu, url));
    }

    [Theory]
    [InlineData("https://app.example/api/private?x=1", "https://app.example/api/private")]
    [InlineData("https://app.example/api/private", "https://app.example/api/private?x=1")]
    [InlineData("https://app.example/api/private?x=1", "https://app.example/api/private?y=2")]
    [InlineData("https://app.example/api/private#part", "https://app.example/api/private")]
    [InlineData("https://app.example/api/private", "https://app.example/api/private#part")]
    [InlineData("https://app.example/api/private?x=1#part", "https://app.example/api/private?y=2#other")]
    public void Query_and_fragment_are_ignored_on_both_sides(string htu, string url)
    {
        Assert.True(Matches(htu, url));
    }

    [Fact]
    public void An_empty_path_is_the_same_as_the_root_path()
    {
        Assert.True(Matches("https://app.example", "https://app.example/"));
    }

    [Theory]
    [InlineData("https://user@app.example/api/private")]
    [InlineData("https://user:password@app.example/api/private")]
    [InlineData("https://app.example@app.example/api/private")]
    public void An_htu_with_user_information_is_refused(string htu)
    {
        Assert.False(Matches(htu));
    }

    [Theory]
    [InlineData("https://app.example/api/public")]
    [InlineData("https://app.example/api/private/")]
    [InlineData("https://app.example/API/private")]
    [InlineData("https://app.example/api/private/extra")]
    [InlineData("https://app.example/api")]
    public void An_htu_with_another_path_is_refused(string htu)
    {
        Assert.False(Matches(htu));
    }

    [Theory]
    [InlineData("https://other.example/api/private")]
    [InlineData("https://app.example.evil.test/api/private")]
    [InlineData("https://sub.app.example/api/private")]
    [InlineData("https://127.0.0.1/api/private")]
    public void An_htu_with_another_host_is_refused(string htu)
    {
        Assert.False(Matches(htu));
    }

    // Each pair would be one text if the parts of a URL were not kept apart as a URL writes them.
    [Theory]
    [InlineData("https://app.example/api/private", "http://sapp.example/api/private")]
    [InlineData("http://[2001:db8::1:8080]/api/private", "http://[2001:db8::1]:8080/api/private")]
    public void An_htu_whose_parts_run_together_into_another_URL_s_is_refused(string htu, string url)
    {
        Assert.False(Matches(htu, url));
    }

    [Theory]
    [InlineData("http://app.example/api/private")]
    [InlineData("wss://app.example/api/private")]
    [InlineData("ftp://app.example/api/private")]
    public void An_htu_with_another_scheme_is_refused(string htu)
    {
        Assert.False(Matches(htu));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/api/private")]
    [InlineData("app.example/api/private")]
    [InlineData("not a url")]
    [InlineData("https://")]
    public void An_htu_that_is_no_absolute_URL_is_refused(string htu)
    {
        Assert.False(Matches(htu));
    }

    [Theory]
    [InlineData("https://app.example/api/private ")]
    [InlineData(" https://app.example/api/private")]
    [InlineData("https://app.example/api/private\t")]
    [InlineData("https://app.example/api/private\r\n")]
    public void An_htu_with_white_space_around_it_is_no_URL_and_is_refused(string htu)
    {
        // A URI has no white space (RFC 3986 2), so an htu with some names no request, whatever System.Uri trims.
        Assert.False(Matches(htu));
    }

    [Fact]
    public void A_request_without_a_URL_matches_no_htu()
    {
        Assert.False(ProofTarget.Matches(Reported, BearerRequests.WithAuthorization("DPoP token"), Policy()));
    }

    [Theory]
    [InlineData("https://bücher.example/api/private", "https://xn--bcher-kva.example/api/private")]
    [InlineData("https://xn--bcher-kva.example/api/private", "https://BÜCHER.example/api/private")]
    public void An_internationalised_host_is_the_same_as_its_punycode_form(string htu, string url)
    {
        Assert.True(Matches(htu, url));
    }

    [Fact]
    public void A_public_base_URL_replaces_the_reported_scheme_and_host()
    {
        var policy = Policy("https://api.example.com");

        Assert.True(Matches("https://api.example.com/api/private", "http://localhost:7071/api/private", policy));
        Assert.False(Matches("http://localhost:7071/api/private", "http://localhost:7071/api/private", policy));
    }

    [Fact]
    public void With_a_public_base_URL_the_path_is_still_the_request_s()
    {
        var policy = Policy("https://api.example.com");

        Assert.False(Matches("https://api.example.com/api/public", "http://localhost:7071/api/private", policy));
    }

    [Fact]
    public void A_public_base_URL_is_normalised_like_the_htu()
    {
        var policy = Policy("HTTPS://API.Example.com:443/");

        Assert.True(Matches("https://api.example.com/api/private", "http://localhost:7071/api/private", policy));
    }

    [Fact]
    public void Any_of_several_public_base_URLs_matches()
    {
        var policy = Policy("https://api.example.com, https://api.example.org:8443");

        Assert.True(Matches("https://api.example.com/api/private", "http://localhost:7071/api/private", policy));
        Assert.True(Matches("https://api.example.org:8443/api/private", "http://localhost:7071/api/private", policy));
        Assert.False(Matches("https://api.example.org/api/private", "http://localhost:7071/api/private", policy));
        Assert.False(Matches("https://api.example.net/api/private", "http://localhost:7071/api/private", policy));
    }

    [Theory]
    [InlineData("https://gateway.example/orders")]
    [InlineData("https://gateway.example/orders/")]
    public void A_public_base_URL_with_a_path_puts_its_path_before_the_request_s(string baseUrl)
    {
        var policy = Policy(baseUrl);

        Assert.True(Matches("https://gateway.example/orders/api/private", "http://localhost:7071/api/private", policy));
        Assert.False(Matches("https://gateway.example/api/private", "http://localhost:7071/api/private", policy));
        Assert.False(Matches("https://gateway.example/orders/private", "http://localhost:7071/api/private", policy));
    }

    [Fact]
    public void A_public_base_URL_wins_over_forwarded_headers_even_when_they_are_trusted()
    {
        var policy = Policy("https://api.example.com", trustForwarded: true);

        Assert.True(Matches("https://api.example.com/api/private", "http://localhost:7071/api/private", policy, "https", "forwarded.example"));
        Assert.False(Matches("https://forwarded.example/api/private", "http://localhost:7071/api/private", policy, "https", "forwarded.example"));
    }

    [Fact]
    public void Forwarded_headers_are_ignored_unless_trusted()
    {
        var policy = Policy(trustForwarded: false);

        Assert.False(Matches("https://public.example/api/private", "http://internal:7071/api/private", policy, "https", "public.example"));
        Assert.True(Matches("http://internal:7071/api/private", "http://internal:7071/api/private", policy, "https", "public.example"));
    }

    [Fact]
    public void Trusted_forwarded_headers_name_the_URL_the_client_saw()
    {
        var policy = Policy(trustForwarded: true);

        Assert.True(Matches("https://public.example/api/private", "http://internal:7071/api/private", policy, "https", "public.example"));
    }

    [Fact]
    public void Trusted_forwarded_headers_replace_the_reported_scheme_and_host()
    {
        var policy = Policy(trustForwarded: true);

        Assert.False(Matches("http://internal:7071/api/private", "http://internal:7071/api/private", policy, "https", "public.example"));
    }

    [Fact]
    public void A_trusted_forwarded_host_keeps_its_port()
    {
        var policy = Policy(trustForwarded: true);

        Assert.True(Matches("https://public.example:8443/api/private", "http://internal:7071/api/private", policy, "https", "public.example:8443"));
        Assert.False(Matches("https://public.example/api/private", "http://internal:7071/api/private", policy, "https", "public.example:8443"));
    }

    [Fact]
    public void A_trusted_forwarded_proto_alone_changes_only_the_scheme()
    {
        var policy = Policy(trustForwarded: true);

        Assert.True(Matches("https://internal:7071/api/private", "http://internal:7071/api/private", policy, "https", null));
        Assert.False(Matches("http://internal:7071/api/private", "http://internal:7071/api/private", policy, "https", null));
    }

    [Fact]
    public void A_trusted_forwarded_host_alone_keeps_the_reported_scheme()
    {
        var policy = Policy(trustForwarded: true);

        Assert.True(Matches("http://public.example/api/private", "http://internal:7071/api/private", policy, null, "public.example"));
    }

    [Fact]
    public void Without_forwarded_headers_trusting_them_leaves_the_reported_URL()
    {
        var policy = Policy(trustForwarded: true);

        Assert.True(Matches("http://internal:7071/api/private", "http://internal:7071/api/private", policy));
    }

    [Theory]
    [InlineData("https, http", "public.example, proxy.internal")]
    [InlineData("https,http", "public.example,proxy.internal")]
    [InlineData(" HTTPS , http", " Public.Example , proxy.internal")]
    public void Of_a_list_of_forwarded_values_the_first_is_used(string proto, string host)
    {
        var policy = Policy(trustForwarded: true);

        Assert.True(Matches("https://public.example/api/private", "http://internal:7071/api/private", policy, proto, host));
        Assert.False(Matches("http://proxy.internal/api/private", "http://internal:7071/api/private", policy, proto, host));
    }

    [Theory]
    [InlineData("public.example/other")]
    [InlineData("public.example/api")]
    public void A_forwarded_host_that_carries_a_path_is_not_used(string host)
    {
        var policy = Policy(trustForwarded: true);

        Assert.False(Matches($"https://{host}/api/private", "http://internal:7071/api/private", policy, "https", host));
        Assert.False(Matches("https://public.example/api/private", "http://internal:7071/api/private", policy, "https", host));
        Assert.True(Matches("http://internal:7071/api/private", "http://internal:7071/api/private", policy, "https", host));
    }

    [Theory]
    [InlineData("user@public.example")]
    [InlineData("user:password@public.example")]
    public void A_forwarded_host_that_carries_user_information_is_refused(string host)
    {
        var policy = Policy(trustForwarded: true);

        Assert.False(Matches($"https://{host}/api/private", "http://internal:7071/api/private", policy, "https", host));
        Assert.False(Matches("https://public.example/api/private", "http://internal:7071/api/private", policy, "https", host));
    }

    [Theory]
    [InlineData("ftp")]
    [InlineData("javascript")]
    public void A_forwarded_proto_other_than_http_or_https_is_not_used(string proto)
    {
        var policy = Policy(trustForwarded: true);

        Assert.False(Matches($"{proto}://public.example/api/private", "http://internal:7071/api/private", policy, proto, "public.example"));
        Assert.True(Matches("http://internal:7071/api/private", "http://internal:7071/api/private", policy, proto, "public.example"));
    }
}
