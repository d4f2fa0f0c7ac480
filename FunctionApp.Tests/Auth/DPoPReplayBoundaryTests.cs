using FunctionApp.Auth;
using FunctionApp.Tests.Support;
using FunctionApp.TestHost.Issuer;

namespace FunctionApp.Tests.Auth;

/// <summary>
/// A proof replayed at the instant it stops being acceptable: every time check of one request reads the clock once, and
/// the replay memory keeps the proof through that instant, so a replay is refused either as a replay or as too old.
/// </summary>
public sealed class DPoPReplayBoundaryTests : IAsyncLifetime, IDisposable
{
    private const string Url = "https://app.example/api/private";
    private const int MaxAgeSeconds = 2;

    private readonly InProcessValidator _app = new(settings =>
    {
        settings["Auth0__DPoPProofMaxAgeSeconds"] = MaxAgeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Auth0__ClockSkewSeconds"] = "0";
    });

    private readonly DPoPKey _key = DPoPKey.CreateEs256();
    private string _token = null!;

    public async Task InitializeAsync()
    {
        await _app.InitializeAsync();
        _token = _app.Issuer.CreateBoundToken(_key);
    }

    public Task DisposeAsync() => _app.DisposeAsync();

    public void Dispose() => _key.Dispose();

    [Fact]
    public async Task A_proof_replayed_at_the_last_instant_its_age_allows_is_refused_as_a_replay()
    {
        var issuedAt = ProofIssuedNow(out var proof);
        Assert.True((await SendAsync(proof)).IsVerified);

        _app.Clock.Set(issuedAt.AddSeconds(MaxAgeSeconds));

        Assert.Same(TokenRejection.ProofReplayed, (await SendAsync(proof)).Rejection);
    }

    [Fact]
    public async Task A_proof_replayed_one_tick_after_the_last_instant_its_age_allows_is_refused_as_too_old()
    {
        var issuedAt = ProofIssuedNow(out var proof);
        Assert.True((await SendAsync(proof)).IsVerified);

        _app.Clock.Set(issuedAt.AddSeconds(MaxAgeSeconds).AddTicks(1));

        Assert.Same(TokenRejection.ProofTooOld, (await SendAsync(proof)).Rejection);
    }

    [Fact]
    public async Task Replays_sent_at_once_while_the_clock_crosses_the_last_acceptable_instant_are_all_refused()
    {
        const int replays = 16;
        for (var round = 0; round < 50; round++)
        {
            var issuedAt = ProofIssuedNow(out var proof);
            Assert.True((await SendAsync(proof)).IsVerified);

            // Each reading of the clock moves it on by a tick, from a few readings before the boundary to past it.
            _app.Clock.Set(issuedAt.AddSeconds(MaxAgeSeconds).AddTicks(-replays));
            _app.Clock.TicksPerReading = 1;
            var results = await RaceAsync(proof, replays);
            _app.Clock.TicksPerReading = 0;

            Assert.All(results, r => Assert.Contains(r.Rejection, new[] { TokenRejection.ProofReplayed, TokenRejection.ProofTooOld }));
        }
    }

    // A proof issued at the clock's current second, the clock set to that very second.
    private DateTimeOffset ProofIssuedNow(out string proof)
    {
        var second = DateTimeOffset.FromUnixTimeSeconds(_app.Clock.GetUtcNow().ToUnixTimeSeconds() + 1);
        _app.Clock.Set(second);
        var payload = _key.NewProofPayload("GET", Url, _token);
        payload["iat"] = second.ToUnixTimeSeconds();
        proof = _key.Sign(_key.NewProofHeader(), payload);
        return second;
    }

    private Task<AccessTokenResult> SendAsync(string proof) =>
        _app.Validator.ValidateAsync(new ProtectedRequest("DPoP " + _token, proof, "GET", new Uri(Url)), CancellationToken.None);

    // The same request from every thread at once, released together by a barrier.
    private async Task<AccessTokenResult[]> RaceAsync(string proof, int threads)
    {
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(_ => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait();
                return SendAsync(proof).GetAwaiter().GetResult();
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default));
        return await Task.WhenAll(workers);
    }
}
