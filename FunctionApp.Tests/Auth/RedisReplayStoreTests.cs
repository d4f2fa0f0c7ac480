using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using FunctionApp.Auth;
using FunctionApp.TestHost.Issuer;
using FunctionApp.TestHost.Redis;
using FunctionApp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FunctionApp.Tests.Auth;

/// <summary>
/// The shared replay store, in this process: two validators, each with services of its own as two instances of the app
/// have, against one local issuer and one real redis-server.
/// </summary>
public sealed class RedisReplayStoreTests : IAsyncLifetime, IDisposable
{
    private const string Url = "https://app.example/api/private";

    private readonly InProcessValidator.ManualClock _clock = new();
    private readonly DPoPKey _key = DPoPKey.CreateEs256();
    private readonly List<ServiceProvider> _instances = [];
    private RedisServer _redis = null!;
    private LocalIssuer _issuer = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _issuer = await LocalIssuer.StartAsync(AppFixture.Audience);
        // A whole second, as a proof's iat is: the clock can be set to a proof's last acceptable instant exactly.
        _clock.Set(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    }

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        await _issuer.DisposeAsync();
        await _redis.DisposeAsync();
    }

    public void Dispose() => _key.Dispose();

    [Fact]
    public async Task Of_one_proof_sent_to_two_instances_at_once_exactly_one_is_accepted_round_after_round()
    {
        const int perInstance = 2;
        var instances = new[] { Instance(), Instance() };
        var token = _issuer.CreateBoundToken(_key);
        for (var round = 0; round < 200; round++)
        {
            var proof = _key.CreateProof("GET", Url, token);
            using var start = new Barrier(instances.Length * perInstance);
            var requests = instances.SelectMany(instance => Enumerable.Repeat(instance, perInstance)).Select(instance => Task.Factory.StartNew(
                () =>
                {
                    start.SignalAndWait();
                    return Validate(instance, token, proof);
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).Unwrap());

            var results = await Task.WhenAll(requests);

            Assert.Equal(1, results.Count(r => r.IsVerified));
            Assert.All(results.Where(r => !r.IsVerified), r => Assert.Same(TokenRejection.ProofReplayed, r.Rejection));
        }
    }

    [Fact]
    public async Task A_proof_accepted_by_one_instance_is_refused_by_another_at_its_last_acceptable_instant()
    {
        var (first, second) = (Instance(), Instance());
        var token = _issuer.CreateBoundToken(_key);
        var proof = ProofIssuedNow(token);
        Assert.True((await Validate(first, token, proof)).IsVerified);

        _clock.Advance(Policy(first).DPoPProofMaxAge);

        Assert.Same(TokenRejection.ProofReplayed, (await Validate(second, token, proof)).Rejection);
    }

    [Fact]
    public async Task Redis_keeps_a_proof_through_its_last_acceptable_instant_plus_the_clock_skew()
    {
        var instance = Instance();
        var dpop = Policy(instance);
        var token = _issuer.CreateBoundToken(_key);
        var jti = "jti-kept";
        await using var client = await _redis.ConnectAsync();
        var key = instance.GetRequiredService<RedisDPoPReplayStore>().KeyOf(_key.Thumbprint, jti);

        var before = DateTimeOffset.UtcNow;
        Assert.True((await Validate(instance, token, ProofIssuedNow(token, jti))).IsVerified);
        var held = await client.GetDatabase().KeyTimeToLiveAsync(key);
        var elapsed = DateTimeOffset.UtcNow - before;

        // Redis counts the TTL down in real time from when it took the key: by no more than the time the test measured.
        var set = dpop.DPoPProofMaxAge + dpop.ClockSkew;
        Assert.NotNull(held);
        Assert.InRange(held.Value, set - elapsed - TimeSpan.FromMilliseconds(1), set);
    }

    [Fact]
    public void A_proof_past_its_last_acceptable_instant_is_kept_for_the_clock_skew_and_never_less_than_a_millisecond()
    {
        var now = _clock.GetUtcNow();
        var skew = TimeSpan.FromSeconds(30);

        Assert.Equal(TimeSpan.FromSeconds(330), RedisDPoPReplayStore.TimeToLive(now.AddSeconds(300), now, skew));
        Assert.Equal(TimeSpan.FromSeconds(20), RedisDPoPReplayStore.TimeToLive(now.AddSeconds(-10), now, skew));
        Assert.Equal(TimeSpan.FromMilliseconds(1), RedisDPoPReplayStore.TimeToLive(now.AddSeconds(-31), now, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Keys_are_scoped_to_the_API_and_the_proof_key_and_name_neither_the_jti_nor_the_thumbprint()
    {
        var store = Instance().GetRequiredService<RedisDPoPReplayStore>();
        var otherApi = Instance(s => s["Auth0__ApiAudience"] = "https://other.api.test/").GetRequiredService<RedisDPoPReplayStore>();
        var key = store.KeyOf(_key.Thumbprint, "jti-1");

        Assert.StartsWith("dpop:", key.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("jti-1", key.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_key.Thumbprint, key.ToString(), StringComparison.Ordinal);
        Assert.Equal(key, store.KeyOf(_key.Thumbprint, "jti-1"));
        Assert.NotEqual(key, store.KeyOf(_key.Thumbprint, "jti-2"));
        Assert.NotEqual(key, store.KeyOf("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbW", "jti-1"));
        Assert.NotEqual(key, otherApi.KeyOf(_key.Thumbprint, "jti-1"));
    }

    [Fact]
    public async Task The_store_reports_its_latency_by_outcome_and_its_failures_by_error_type()
    {
        var instance = Instance();
        var meters = instance.GetRequiredService<IMeterFactory>();
        var measured = new ConcurrentQueue<(string Instrument, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener
        {
            // Every test's instances share the meter's name: only this instance's factory's meter is this test's.
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meters)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => measured.Enqueue((instrument.Name, new(tags.ToArray()))));
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => measured.Enqueue((instrument.Name, new(tags.ToArray()))));
        listener.Start();
        var token = _issuer.CreateBoundToken(_key);
        Assert.True((await Validate(instance, token, ProofIssuedNow(token))).IsVerified);

        await _redis.StopAsync();

        Assert.Same(TokenRejection.ReplayStoreUnavailable, (await Validate(instance, token, ProofIssuedNow(token))).Rejection);
        var durations = measured.Where(m => m.Instrument == "auth0.dpop.replay_store.duration").Select(m => m.Tags["auth0.dpop.replay_store.outcome"]);
        Assert.Equal(["remembered", "unavailable"], durations);
        var failure = Assert.Single(measured, m => m.Instrument == "auth0.dpop.replay_store.failures");
        Assert.Contains(failure.Tags["error.type"], new object?[] { "connection", "timeout" });
    }

    private static Auth0Options Policy(ServiceProvider instance) => instance.GetRequiredService<IOptions<Auth0Options>>().Value;

    private static Task<AccessTokenResult> Validate(ServiceProvider instance, string token, string proof) =>
        instance.GetRequiredService<Auth0TokenValidator>().ValidateAsync(
            new ProtectedRequest("DPoP " + token, proof, "GET", new Uri(Url)), CancellationToken.None);

    private string ProofIssuedNow(string token, string? jti = null)
    {
        var payload = _key.NewProofPayload("GET", Url, token);
        payload["iat"] = _clock.GetUtcNow().ToUnixTimeSeconds();
        if (jti is not null)
        {
            payload["jti"] = jti;
        }

        return _key.Sign(_key.NewProofHeader(), payload);
    }

    private ServiceProvider Instance(Action<Dictionary<string, string>>? change = null)
    {
        var instance = new ServiceCollection()
            .AddSingleton<TimeProvider>(_clock)
            .AddAuth0TokenValidation(_issuer.AppConfiguration(settings =>
            {
                settings["Auth0__DPoPReplayStore"] = "Redis";
                settings["Auth0__DPoPReplayRedis"] = _redis.Configuration;
                change?.Invoke(settings);
            }).GetSection("Auth0"))
            .BuildServiceProvider();
        _instances.Add(instance);
        return instance;
    }
}
