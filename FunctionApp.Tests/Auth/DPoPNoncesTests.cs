using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using FunctionApp.Auth;
using FunctionApp.Tests.Support;
using Microsoft.Extensions.Options;

namespace FunctionApp.Tests.Auth;

/// <summary>
/// The server nonces of RFC 9449 8 and 9: made and checked by any instance that shares the secret, accepted until
/// their lifetime has passed, the same one handed out for a quarter of it.
/// </summary>
public sealed class DPoPNoncesTests
{
    private const string Secret = "an-example-secret-of-at-least-32-characters";
    private const int LifetimeSeconds = 120;

    private readonly InProcessValidator.ManualClock _clock = new();

    private static IOptions<Auth0Options> Policy(string? secret = Secret, int lifetimeSeconds = LifetimeSeconds) =>
        BoundOptions.Of(o => (o.DPoPNonceSecret, o.DPoPNonceLifetime) = (secret, TimeSpan.FromSeconds(lifetimeSeconds)));

    private DPoPNonces Nonces(string? secret = Secret, TimeProvider? clock = null) => new(Policy(secret), clock ?? _clock);

    [Fact]
    public void Nonces_are_on_only_with_a_secret()
    {
        Assert.True(Nonces().Enabled);
        Assert.False(Nonces(secret: null).Enabled);
        Assert.False(Nonces(secret: "").Enabled);
    }

    [Fact]
    public void The_nonce_handed_out_is_one_the_server_accepts()
    {
        var nonces = Nonces();

        var nonce = nonces.Current();

        Assert.NotEqual(string.Empty, nonce);
        Assert.True(nonces.IsValid(nonce, _clock.GetUtcNow()), $"The nonce handed out, \"{nonce}\", was not accepted.");
    }

    [Fact]
    public void A_nonce_is_accepted_until_its_lifetime_has_passed()
    {
        var nonces = Nonces();
        var nonce = nonces.Current();

        _clock.Advance(TimeSpan.FromSeconds(LifetimeSeconds));

        Assert.True(nonces.IsValid(nonce, _clock.GetUtcNow()), "A nonce exactly its lifetime old was refused.");
    }

    [Fact]
    public void A_nonce_is_refused_once_its_lifetime_has_passed()
    {
        var nonces = Nonces();
        var nonce = nonces.Current();
        Assert.True(nonces.IsValid(nonce, _clock.GetUtcNow()), "The nonce handed out was not accepted even while new.");

        _clock.Advance(TimeSpan.FromSeconds(LifetimeSeconds + 1));

        Assert.False(nonces.IsValid(nonce, _clock.GetUtcNow()));
    }

    [Fact]
    public void A_nonce_made_with_another_secret_is_refused()
    {
        var other = Nonces("another-secret-also-at-least-32-characters-long");
        var nonce = other.Current();
        Assert.True(other.IsValid(nonce, _clock.GetUtcNow()), "The other server does not accept its own nonce.");

        Assert.False(Nonces().IsValid(nonce, _clock.GetUtcNow()));
    }

    [Fact]
    public void Two_instances_that_share_the_secret_accept_each_other_s_nonces()
    {
        var first = Nonces();
        var second = Nonces();

        Assert.True(second.IsValid(first.Current(), _clock.GetUtcNow()));
        Assert.True(first.IsValid(second.Current(), _clock.GetUtcNow()));
    }

    [Fact]
    public void A_nonce_from_an_instance_whose_clock_is_ahead_by_less_than_the_skew_is_accepted()
    {
        var ahead = new InProcessValidator.ManualClock();
        ahead.Advance(_clock.GetUtcNow() - ahead.GetUtcNow() + TimeSpan.FromSeconds(20));

        Assert.True(Nonces().IsValid(Nonces(clock: ahead).Current(), _clock.GetUtcNow()));
    }

    [Fact]
    public void A_nonce_made_exactly_the_skew_in_the_future_is_accepted()
    {
        var ahead = new InProcessValidator.ManualClock();
        ahead.Advance(_clock.GetUtcNow() - ahead.GetUtcNow() + new Auth0Options().ClockSkew);

        Assert.True(Nonces().IsValid(Nonces(clock: ahead).Current(), _clock.GetUtcNow()));
    }

    [Fact]
    public void A_nonce_made_further_in_the_future_than_the_skew_is_refused()
    {
        var ahead = new InProcessValidator.ManualClock();
        ahead.Advance(_clock.GetUtcNow() - ahead.GetUtcNow() + new Auth0Options().ClockSkew + TimeSpan.FromSeconds(1));
        var early = Nonces(clock: ahead);
        var nonce = early.Current();
        Assert.True(early.IsValid(nonce, ahead.GetUtcNow()), "The instance ahead does not accept its own nonce.");

        Assert.False(Nonces().IsValid(nonce, _clock.GetUtcNow()));
    }

    [Fact]
    public void A_nonce_is_its_second_and_a_MAC_of_the_second_bound_to_the_purpose_of_nonces()
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();

        Assert.Equal(NonceMadeWith(Encoding.UTF8.GetBytes(Secret), now), Nonces().Current());
    }

    [Fact]
    public void The_same_nonce_is_handed_out_for_a_quarter_of_the_lifetime()
    {
        var nonces = Nonces();
        var first = nonces.Current();

        _clock.Advance(TimeSpan.FromSeconds((LifetimeSeconds / 4) - 1));

        Assert.Equal(first, nonces.Current());
    }

    [Fact]
    public void A_new_nonce_is_handed_out_once_a_quarter_of_the_lifetime_has_passed()
    {
        var nonces = Nonces();
        var first = nonces.Current();

        _clock.Advance(TimeSpan.FromSeconds(LifetimeSeconds / 4));
        var next = nonces.Current();

        Assert.NotEqual(first, next);
        Assert.True(nonces.IsValid(first, _clock.GetUtcNow()));
        Assert.True(nonces.IsValid(next, _clock.GetUtcNow()));
    }

    [Fact]
    public void Every_nonce_handed_out_is_still_accepted_three_quarters_of_the_lifetime_later()
    {
        var nonces = Nonces();

        for (var second = 0; second < LifetimeSeconds; second++)
        {
            var nonce = nonces.Current();
            var later = new InProcessValidator.ManualClock();
            later.Advance(_clock.GetUtcNow() - later.GetUtcNow() + TimeSpan.FromSeconds(LifetimeSeconds * 3 / 4));
            Assert.True(Nonces(clock: later).IsValid(nonce, later.GetUtcNow()), $"The nonce handed out at second {second} was refused 90 seconds later.");
            _clock.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("AAAAAAAA AAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\u00e9")]
    public void Garbage_is_refused(string nonce)
    {
        Assert.False(Nonces().IsValid(nonce, _clock.GetUtcNow()));
    }

    [Fact]
    public void A_nonce_whose_time_was_changed_is_refused()
    {
        var nonces = Nonces();
        var bytes = Base64Url.DecodeFromChars(ValidNonce(nonces));

        BinaryPrimitives.WriteInt64BigEndian(bytes, BinaryPrimitives.ReadInt64BigEndian(bytes) + 1);

        Assert.False(nonces.IsValid(Base64Url.EncodeToString(bytes), _clock.GetUtcNow()));
    }

    [Fact]
    public void A_nonce_whose_MAC_was_changed_is_refused()
    {
        var nonces = Nonces();
        var bytes = Base64Url.DecodeFromChars(ValidNonce(nonces));

        bytes[^1] ^= 1;

        Assert.False(nonces.IsValid(Base64Url.EncodeToString(bytes), _clock.GetUtcNow()));
    }

    [Fact]
    public void A_nonce_with_extra_bytes_is_refused()
    {
        var nonces = Nonces();
        var bytes = Base64Url.DecodeFromChars(ValidNonce(nonces));

        Assert.False(nonces.IsValid(Base64Url.EncodeToString([.. bytes, 0]), _clock.GetUtcNow()));
        Assert.False(nonces.IsValid(Base64Url.EncodeToString(bytes.AsSpan(0, bytes.Length - 1)), _clock.GetUtcNow()));
    }

    [Fact]
    public void With_nonces_off_no_nonce_is_valid()
    {
        var nonce = ValidNonce(Nonces());

        Assert.False(Nonces(secret: null).IsValid(nonce, _clock.GetUtcNow()));
    }

    [Fact]
    public void With_nonces_off_not_even_a_nonce_made_with_an_empty_secret_is_valid()
    {
        var nonce = NonceMadeWith([], _clock.GetUtcNow().ToUnixTimeSeconds());

        Assert.False(Nonces(secret: null).IsValid(nonce, _clock.GetUtcNow()));
    }

    // A nonce as any instance must make it: the second, big-endian, then the first 16 bytes of HMAC-SHA256 of the
    // purpose label and that second.
    private static string NonceMadeWith(byte[] key, long second)
    {
        var time = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(time, second);
        var mac = HMACSHA256.HashData(key, (byte[])[.. "Auth0.DPoP.Nonce.v1"u8, .. time]);
        return Base64Url.EncodeToString([.. time, .. mac.AsSpan(0, 16)]);
    }

    private string ValidNonce(DPoPNonces nonces)
    {
        var nonce = nonces.Current();
        Assert.True(nonces.IsValid(nonce, _clock.GetUtcNow()), $"The nonce handed out, \"{nonce}\", was not accepted.");
        return nonce;
    }
}
