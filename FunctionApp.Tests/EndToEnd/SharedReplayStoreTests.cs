using FunctionApp.TestHost.Hosting;
using FunctionApp.TestHost.Issuer;
using FunctionApp.TestHost.Redis;
using FunctionApp.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// Three instances of the app behind one public URL, as a scaled-out app runs, sharing one real redis-server as their
/// DPoP replay store.
/// </summary>
public sealed class SharedReplayStoreFixture : AppFixture
{
    public SharedReplayStoreFixture() => Configure = settings => SharedReplayStoreTests.UseRedis(settings, Redis.Configuration);

    public RedisServer Redis { get; private set; } = null!;

    /// <summary>Every instance: the fixture's worker and two more.</summary>
    public List<HttpClient> Instances { get; } = [];

    private List<FunctionsHost> Others { get; } = [];

    public override async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        await base.InitializeAsync();
        Instances.Add(Client);
        for (var i = 0; i < 2; i++)
        {
            var settings = Settings(Issuer);
            Configure!(settings);
            var host = await FunctionsHost.StartAsync(
                new FunctionsHostOptions { AppDirectory = FunctionsHostOptions.DefaultAppDirectory, Settings = settings }, NullLoggerFactory.Instance);
            Others.Add(host);
            Instances.Add(new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) });
        }
    }

    public override async Task DisposeAsync()
    {
        foreach (var client in Instances.Skip(1))
        {
            client.Dispose();
        }

        foreach (var host in Others)
        {
            await host.DisposeAsync();
        }

        await base.DisposeAsync();
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }
}

/// <summary>Auth0__DPoPReplayStore=Redis, end to end: a proof is accepted once across every instance, and Redis's faults have answers.</summary>
public sealed class SharedReplayStoreTests(SharedReplayStoreFixture app) : IClassFixture<SharedReplayStoreFixture>, IDisposable
{
    /// <summary>The URL clients call every instance at, which a proof's htu names.</summary>
    private const string PublicBaseUrl = "https://api.example.test";
    private const string Unavailable = """{"status":"error","msg":"DPoP replay store is unavailable; try again later"}""";

    private readonly DPoPKey _key = DPoPKey.CreateEs256();

    public void Dispose() => _key.Dispose();

    internal static void UseRedis(Dictionary<string, string> settings, string configuration)
    {
        settings["Auth0__DPoPReplayStore"] = "Redis";
        settings["Auth0__DPoPReplayRedis"] = configuration;
        settings["Auth0__DPoPPublicBaseUrl"] = PublicBaseUrl;
    }

    [Fact]
    public async Task Of_one_proof_sent_to_every_instance_at_once_exactly_one_is_accepted()
    {
        const int perInstance = 2;
        var token = app.Issuer.CreateBoundToken(_key);
        var senders = app.Instances.SelectMany(client => Enumerable.Repeat(client, perInstance)).ToArray();
        for (var round = 0; round < 25; round++)
        {
            var proof = Proof(token);
            using var start = new Barrier(senders.Length);
            var requests = senders.Select(client => Task.Factory.StartNew(
                async () =>
                {
                    start.SignalAndWait();
                    using var response = await SendAsync(client, token, proof);
                    return (int)response.StatusCode;
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).Unwrap());

            var statuses = await Task.WhenAll(requests);

            Assert.Equal(1, statuses.Count(s => s == 200));
            Assert.Equal(senders.Length - 1, statuses.Count(s => s == 400));
        }
    }

    [Fact]
    public async Task A_proof_accepted_by_one_instance_is_refused_by_every_other()
    {
        var token = app.Issuer.CreateBoundToken(_key);
        var proof = Proof(token);
        using (var first = await SendAsync(app.Instances[0], token, proof))
        {
            Assert.Equal(200, (int)first.StatusCode);
        }

        foreach (var other in app.Instances.Skip(1))
        {
            using var replay = await SendAsync(other, token, proof);
            await ResponseAssert.JsonAsync(replay, 400, """{"status":"error","msg":"DPoP proof has been used before"}""");
        }
    }

    [Fact]
    public async Task Redis_stopped_mid_run_DPoP_gets_503_to_retry_Bearer_still_works_and_DPoP_recovers_when_Redis_is_back()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var instance = await AppFixture.StartAsync(settings => UseRedis(settings, redis.Configuration));
        var token = instance.Issuer.CreateBoundToken(_key);
        Assert.Equal(200, await StatusAsync(instance.Client, token));

        await redis.StopAsync();

        using (var down = await SendAsync(instance.Client, token, Proof(token)))
        {
            await ResponseAssert.JsonAsync(down, 503, Unavailable);
            Assert.Equal("5", down.Headers.RetryAfter?.ToString());
            Assert.Empty(down.Headers.WwwAuthenticate);
        }

        using (var bearer = await instance.GetPrivateWithTokenAsync(instance.Issuer.CreateToken()))
        {
            Assert.Equal(200, (int)bearer.StatusCode);
        }

        await redis.RestartAsync();

        // The app re-connects on its own schedule; wait for it, bounded.
        var status = 0;
        for (var attempt = 0; attempt < 300 && status != 200; attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100));
            status = await StatusAsync(instance.Client, token);
            Assert.True(status is 200 or 503, $"unexpected {status}");
        }

        Assert.Equal(200, status);
    }

    [Fact]
    public async Task A_Redis_that_holds_every_write_longer_than_the_timeout_gets_DPoP_a_503_and_Bearer_still_works()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var instance = await AppFixture.StartAsync(settings =>
        {
            UseRedis(settings, redis.Configuration);
            settings["Auth0__DPoPReplayRedisTimeoutMilliseconds"] = "200";
        });
        var token = instance.Issuer.CreateBoundToken(_key);
        Assert.Equal(200, await StatusAsync(instance.Client, token));

        await redis.PauseWritesAsync(TimeSpan.FromMinutes(1));
        try
        {
            using var held = await SendAsync(instance.Client, token, Proof(token));
            await ResponseAssert.JsonAsync(held, 503, Unavailable);
            Assert.Equal("5", held.Headers.RetryAfter?.ToString());
            using var bearer = await instance.GetPrivateWithTokenAsync(instance.Issuer.CreateToken());
            Assert.Equal(200, (int)bearer.StatusCode);
        }
        finally
        {
            await redis.UnpauseAsync();
        }

        Assert.Equal(200, await StatusAsync(instance.Client, token));
    }

    [Fact]
    public async Task With_the_fallback_on_and_Redis_down_a_proof_is_checked_against_the_instance_memory_and_the_start_up_warns()
    {
        await using var instance = await AppFixture.StartAsync(settings =>
        {
            UseRedis(settings, $"127.0.0.1:{RedisServer.FreePort()}");
            settings["Auth0__DPoPReplayRedisFallbackToMemory"] = "true";
        });
        var token = instance.Issuer.CreateBoundToken(_key);
        var proof = Proof(token);

        using (var first = await SendAsync(instance.Client, token, proof))
        {
            Assert.Equal(200, (int)first.StatusCode);
        }

        using var replay = await SendAsync(instance.Client, token, proof);
        await ResponseAssert.JsonAsync(replay, 400, """{"status":"error","msg":"DPoP proof has been used before"}""");
        Assert.Contains(instance.Logs.Lines, l => l.Level == LogLevel.Warning
            && l.Message.Contains("Auth0__DPoPReplayRedisFallbackToMemory is on", StringComparison.Ordinal));
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string token, string proof)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "api/private");
        request.Headers.TryAddWithoutValidation("Authorization", "DPoP " + token);
        request.Headers.TryAddWithoutValidation("DPoP", proof);
        return client.SendAsync(request);
    }

    private string Proof(string token) => _key.CreateProof("GET", PublicBaseUrl + "/api/private", token);

    private async Task<int> StatusAsync(HttpClient client, string token)
    {
        using var response = await SendAsync(client, token, Proof(token));
        return (int)response.StatusCode;
    }
}
