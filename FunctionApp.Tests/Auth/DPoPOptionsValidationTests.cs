using System.Globalization;
using FunctionApp.Auth;
using FunctionApp.TestHost.Issuer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static FunctionApp.Tests.Support.BoundOptions;

namespace FunctionApp.Tests.Auth;

/// <summary>The DPoP settings: their defaults, and each bad value refused at start-up with a message naming the setting.</summary>
public sealed class DPoPOptionsValidationTests
{
    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void By_default_DPoP_is_allowed_with_ES256_proofs_no_nonces_and_the_request_s_own_URL()
    {
        var dpop = Accepted();

        Assert.Equal(DPoPMode.Allowed, dpop.DPoPMode);
        Assert.Equal(["ES256"], dpop.DPoPAlgorithms);
        Assert.Equal("ES256", dpop.DPoPChallengeAlgorithms);
        Assert.Null(dpop.DPoPNonceKey);
        Assert.Empty(dpop.DPoPPublicBaseUris);
        Assert.False(dpop.DPoPTrustForwardedHeaders);
        Assert.Equal(TimeSpan.FromSeconds(300), dpop.DPoPProofMaxAge);
        Assert.Equal(TimeSpan.FromSeconds(120), dpop.DPoPNonceLifetime);
        Assert.Equal(128 * 1024, dpop.DPoPReplayMemoryKilobytes);
    }

    [Theory]
    [InlineData("Disabled", DPoPMode.Disabled)]
    [InlineData("allowed", DPoPMode.Allowed)]
    [InlineData("REQUIRED", DPoPMode.Required)]
    public void The_mode_is_read_by_name_without_case(string setting, DPoPMode mode)
    {
        Assert.Equal(mode, Accepted(("Auth0__DPoPMode", setting)).DPoPMode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Optional")]
    [InlineData("1")]
    [InlineData("Allowed,Required")]
    [InlineData(" Allowed")]
    public void A_mode_that_is_not_one_of_the_names_is_refused(string setting)
    {
        Assert.Equal("Auth0__DPoPMode must be Disabled, Allowed or Required.", Refused(("Auth0__DPoPMode", setting)));
    }

    [Theory]
    [InlineData("HS256")]
    [InlineData("ES256,HS256")]
    [InlineData("none")]
    [InlineData("")]
    [InlineData(" , ")]
    [InlineData("es256")]
    [InlineData("EdDSA")]
    public void Algorithms_that_are_empty_symmetric_or_unknown_are_refused(string setting)
    {
        var error = Refused(("Auth0__DPoPAlgorithms", setting));

        Assert.StartsWith("Auth0__DPoPAlgorithms must list one or more of ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("HS256", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Algorithms_are_listed_in_their_order_once_each()
    {
        var dpop = Accepted(("Auth0__DPoPAlgorithms", " PS256, ES256 ,PS256"));

        Assert.Equal(["PS256", "ES256"], dpop.DPoPAlgorithms);
        Assert.Equal("PS256 ES256", dpop.DPoPChallengeAlgorithms);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("0123456789012345678901234567890")]
    public void A_nonce_secret_shorter_than_32_characters_is_refused(string secret)
    {
        Assert.StartsWith("Auth0__DPoPNonceSecret must be empty (no nonces) or at least 32 characters", Refused(("Auth0__DPoPNonceSecret", secret)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_nonce_secret_of_32_characters_turns_nonces_on()
    {
        Assert.NotNull(Accepted(("Auth0__DPoPNonceSecret", new string('s', 32))).DPoPNonceKey);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(3601)]
    public void A_nonce_lifetime_out_of_range_is_refused(int seconds)
    {
        Assert.Equal("Auth0__DPoPNonceLifetimeSeconds must be between 1 and 3600.", Refused(("Auth0__DPoPNonceLifetimeSeconds", Text(seconds))));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(3601)]
    public void A_proof_maximum_age_out_of_range_is_refused(int seconds)
    {
        Assert.Equal("Auth0__DPoPProofMaxAgeSeconds must be between 1 and 3600.", Refused(("Auth0__DPoPProofMaxAgeSeconds", Text(seconds))));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData((4 * 1024 * 1024) + 1)]
    public void A_replay_memory_out_of_range_is_refused(int kilobytes)
    {
        Assert.StartsWith("Auth0__DPoPReplayMemoryKilobytes must be between 1 and ", Refused(("Auth0__DPoPReplayMemoryKilobytes", Text(kilobytes))), StringComparison.Ordinal);
    }

    [Fact]
    public void With_no_replay_setting_each_instance_remembers_proofs_in_its_own_memory()
    {
        Assert.Equal(DPoPReplayStoreKind.Memory, Accepted().DPoPReplayStore);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("true", true)]
    public void Redis_s_failures_fall_back_to_this_instance_s_memory_only_when_the_setting_says_so(string? setting, bool fallback)
    {
        var dpop = Accepted(
            ("Auth0__DPoPReplayStore", "Redis"), ("Auth0__DPoPReplayRedis", "localhost:6379"), ("Auth0__DPoPReplayRedisFallbackToMemory", setting));

        Assert.Equal(fallback, dpop.DPoPReplayRedisFallbackToMemory);
    }

    [Theory]
    [InlineData("Disk")]
    [InlineData("1")]
    [InlineData("")]
    public void A_replay_store_other_than_memory_or_Redis_is_refused(string store)
    {
        Assert.Equal("Auth0__DPoPReplayStore must be Memory or Redis.", Refused(("Auth0__DPoPReplayStore", store)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("password=secret")]
    [InlineData("127.0.0.1:6379,unknownKeyword=1")]
    public void The_Redis_replay_store_without_a_configuration_naming_a_server_is_refused(string? configuration)
    {
        var error = Refused(("Auth0__DPoPReplayStore", "Redis"), ("Auth0__DPoPReplayRedis", configuration));

        Assert.StartsWith("Auth0__DPoPReplayRedis must be a StackExchange.Redis configuration string", error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(60_001)]
    public void A_Redis_timeout_out_of_range_is_refused(int milliseconds)
    {
        Assert.Equal("Auth0__DPoPReplayRedisTimeoutMilliseconds must be between 1 and 60000.", Refused(("Auth0__DPoPReplayRedisTimeoutMilliseconds", Text(milliseconds))));
    }

    [Fact]
    public void With_no_identity_setting_Redis_is_signed_in_to_as_its_configuration_says()
    {
        var dpop = Accepted();

        Assert.Equal(DPoPReplayRedisIdentity.None, dpop.DPoPReplayRedisIdentity);
        Assert.Null(dpop.DPoPReplayRedisIdentityClientId);
    }

    [Theory]
    [InlineData("Key")]
    [InlineData("1")]
    [InlineData("")]
    public void A_Redis_identity_other_than_None_or_ManagedIdentity_is_refused(string identity)
    {
        Assert.Equal("Auth0__DPoPReplayRedisIdentity must be None or ManagedIdentity.", Refused(("Auth0__DPoPReplayRedisIdentity", identity)));
    }

    [Fact]
    public void A_Redis_identity_client_ID_that_is_not_a_GUID_is_refused()
    {
        var error = Refused(("Auth0__DPoPReplayRedisIdentity", "ManagedIdentity"), ("Auth0__DPoPReplayRedisIdentityClientId", "my-identity"));

        Assert.StartsWith("Auth0__DPoPReplayRedisIdentityClientId must be empty (the system-assigned identity) or the client ID", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_Redis_identity_client_ID_without_the_managed_identity_is_refused()
    {
        Assert.Equal(
            "Auth0__DPoPReplayRedisIdentityClientId is used only with Auth0__DPoPReplayRedisIdentity=ManagedIdentity.",
            Refused(("Auth0__DPoPReplayRedisIdentityClientId", "0b6a4c8e-1f2d-4e3a-9b5c-7d8e9f0a1b2c")));
    }

    [Fact]
    public void The_managed_identity_with_a_user_assigned_client_ID_is_kept()
    {
        var dpop = Accepted(("Auth0__DPoPReplayRedisIdentity", "managedidentity"), ("Auth0__DPoPReplayRedisIdentityClientId", "0b6a4c8e-1f2d-4e3a-9b5c-7d8e9f0a1b2c"));

        Assert.Equal(DPoPReplayRedisIdentity.ManagedIdentity, dpop.DPoPReplayRedisIdentity);
        Assert.Equal("0b6a4c8e-1f2d-4e3a-9b5c-7d8e9f0a1b2c", dpop.DPoPReplayRedisIdentityClientId);
    }

    [Theory]
    [InlineData("redis.example.net:10000,ssl=true,password=secret")]
    [InlineData("redis.example.net:10000,ssl=true,user=someone,password=secret")]
    [InlineData("redis.example.net:10000,ssl=true,user=someone")]
    public void With_the_managed_identity_a_Redis_configuration_naming_a_user_or_password_is_refused(string configuration)
    {
        var error = Refused(("Auth0__DPoPReplayStore", "Redis"), ("Auth0__DPoPReplayRedis", configuration), ("Auth0__DPoPReplayRedisIdentity", "ManagedIdentity"));

        Assert.StartsWith("Auth0__DPoPReplayRedis must name no user and no password when Auth0__DPoPReplayRedisIdentity is ManagedIdentity", error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("redis.example.net:10000")]
    [InlineData("10.0.0.5:6379,ssl=false")]
    [InlineData("127.0.0.1:6379,redis.example.net:6379")]
    public void With_the_managed_identity_a_Redis_off_this_machine_without_TLS_is_refused(string configuration)
    {
        var error = Refused(("Auth0__DPoPReplayStore", "Redis"), ("Auth0__DPoPReplayRedis", configuration), ("Auth0__DPoPReplayRedisIdentity", "ManagedIdentity"));

        Assert.StartsWith("Auth0__DPoPReplayRedis must turn TLS on (ssl=True)", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("redis.example.net:10000,ssl=True")]
    [InlineData("my-cache.westeurope.redis.azure.net:10000")]
    [InlineData("127.0.0.1:6379")]
    [InlineData("localhost:6379")]
    public void With_the_managed_identity_a_Redis_reached_over_TLS_or_on_this_machine_is_accepted(string configuration)
    {
        var dpop = Accepted(("Auth0__DPoPReplayStore", "Redis"), ("Auth0__DPoPReplayRedis", configuration), ("Auth0__DPoPReplayRedisIdentity", "ManagedIdentity"));

        Assert.Equal(DPoPReplayRedisIdentity.ManagedIdentity, dpop.DPoPReplayRedisIdentity);
    }

    [Theory]
    [InlineData("http://api.example.com")]
    [InlineData("http://10.0.0.1")]
    [InlineData("https://api.example.com/?x=1")]
    [InlineData("https://api.example.com/#top")]
    [InlineData("https://user@api.example.com")]
    [InlineData("/api")]
    [InlineData("api.example.com")]
    [InlineData("ftp://api.example.com")]
    [InlineData("https://api.example.com, http://api.example.org")]
    [InlineData("https://api.example.com,")]
    public void A_public_base_URL_that_is_not_an_absolute_https_URL_without_query_is_refused(string setting)
    {
        Assert.StartsWith("Auth0__DPoPPublicBaseUrl must be empty or list absolute https:// URLs", Refused(("Auth0__DPoPPublicBaseUrl", setting)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://localhost:7071")]
    [InlineData("http://127.0.0.1:7071")]
    [InlineData("http://[::1]:7071")]
    [InlineData("https://api.example.com/prefix")]
    [InlineData("https://api.example.com, https://api.example.org:8443")]
    public void A_public_base_URL_may_be_https_with_a_path_or_http_on_loopback(string setting)
    {
        Assert.NotEmpty(Accepted(("Auth0__DPoPPublicBaseUrl", setting)).DPoPPublicBaseUris);
    }

    [Fact]
    public void Several_public_base_URLs_are_kept_in_order()
    {
        var dpop = Accepted(("Auth0__DPoPPublicBaseUrl", "https://b.example, https://a.example/x"));

        Assert.Equal(["https://b.example/", "https://a.example/x"], dpop.DPoPPublicBaseUris.Select(u => u.AbsoluteUri));
    }

    [Theory]
    [InlineData("Auth0__DPoPMode", "Sometimes", "Auth0__DPoPMode must be")]
    [InlineData("Auth0__DPoPAlgorithms", "HS256", "Auth0__DPoPAlgorithms must")]
    [InlineData("Auth0__DPoPNonceSecret", "short", "Auth0__DPoPNonceSecret must")]
    [InlineData("Auth0__DPoPNonceLifetimeSeconds", "0", "Auth0__DPoPNonceLifetimeSeconds must")]
    [InlineData("Auth0__DPoPReplayMemoryKilobytes", "0", "Auth0__DPoPReplayMemoryKilobytes must")]
    [InlineData("Auth0__DPoPPublicBaseUrl", "http://api.example.com", "Auth0__DPoPPublicBaseUrl must")]
    [InlineData("Auth0__DPoPReplayStore", "Redis", "Auth0__DPoPReplayRedis must")]
    [InlineData("Auth0__DPoPReplayRedisIdentity", "Key", "Auth0__DPoPReplayRedisIdentity must")]
    public async Task A_bad_DPoP_setting_stops_start_up_with_a_message_naming_it(string setting, string value, string message)
    {
        await using var issuer = await LocalIssuer.StartAsync("https://api.test/");
        await using var services = new ServiceCollection()
            .AddAuth0TokenValidation(issuer.AppConfiguration(s => s[setting] = value).GetSection("Auth0"))
            .BuildServiceProvider();

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<Auth0TokenValidator>());

        Assert.StartsWith(message, failure.Message, StringComparison.Ordinal);
    }
}
