using FunctionApp.Auth;
using FunctionApp.Tests.Support;
using Outcome = FunctionApp.Auth.DPoPReplayOutcome;

namespace FunctionApp.Tests.Auth;

/// <summary>
/// The memory of accepted proofs: a (thumbprint, jti) is refused while it could still be accepted, taken again once it
/// could not, and when the budget is full of proofs that could still be accepted, nothing is forgotten.
/// </summary>
public sealed class DPoPReplayMemoryTests
{
    private const string Thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
    private const string OtherThumbprint = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbW";

    private readonly InProcessValidator.ManualClock _clock = new();

    /// <summary>The entries the smallest budget the settings allow (1 KiB) holds.</summary>
    private static int EntriesInOneKilobyte => 1024 / DPoPReplayMemory.EntryBytes;

    private static DPoPReplayMemory Memory(int kilobytes = 1024) => new(BoundOptions.Of(o => o.DPoPReplayMemoryKilobytes = kilobytes));

    private DateTimeOffset In(int seconds) => _clock.GetUtcNow().AddSeconds(seconds);

    [Fact]
    public void A_proof_seen_for_the_first_time_is_remembered()
    {
        var memory = Memory();

        Assert.Equal(Outcome.Remembered, memory.TryRemember(Thumbprint, "jti-1", In(300), _clock.GetUtcNow()));
        Assert.Equal(1, memory.Count);
    }

    [Fact]
    public void The_same_jti_under_the_same_key_a_second_time_is_a_replay()
    {
        var memory = Memory();
        memory.TryRemember(Thumbprint, "jti-1", In(300), _clock.GetUtcNow());

        Assert.Equal(Outcome.Replayed, memory.TryRemember(Thumbprint, "jti-1", In(300), _clock.GetUtcNow()));
        Assert.Equal(1, memory.Count);
    }

    [Fact]
    public void A_replay_is_refused_for_as_long_as_the_first_proof_could_be_accepted()
    {
        var memory = Memory();
        var acceptableUntil = In(300);
        memory.TryRemember(Thumbprint, "jti-1", acceptableUntil, _clock.GetUtcNow());

        foreach (var later in new[] { In(0), In(1), In(150), In(299), acceptableUntil - TimeSpan.FromTicks(1), acceptableUntil })
        {
            _clock.AdvanceTo(later);
            Assert.Equal(Outcome.Replayed, memory.TryRemember(Thumbprint, "jti-1", acceptableUntil, _clock.GetUtcNow()));
        }
    }

    [Fact]
    public void A_replay_at_the_last_instant_the_first_proof_is_acceptable_is_refused_and_one_tick_later_the_jti_is_free()
    {
        var memory = Memory();
        var lastAcceptable = In(300);
        memory.TryRemember(Thumbprint, "jti-1", lastAcceptable, _clock.GetUtcNow());

        Assert.Equal(Outcome.Replayed, memory.TryRemember(Thumbprint, "jti-1", lastAcceptable, lastAcceptable));
        Assert.Equal(Outcome.Remembered, memory.TryRemember(Thumbprint, "jti-1", lastAcceptable.AddTicks(1), lastAcceptable.AddTicks(1)));
    }

    [Fact]
    public void A_sweep_keeps_a_proof_for_its_grace_after_its_last_acceptable_instant_so_a_slightly_older_reading_still_finds_it()
    {
        var memory = Memory(kilobytes: 1);
        var lastAcceptable = In(10);
        memory.TryRemember(Thumbprint, "jti-1", lastAcceptable, _clock.GetUtcNow());
        for (var i = 1; i < EntriesInOneKilobyte; i++)
        {
            memory.TryRemember(Thumbprint, $"filler-{i}", In(300), _clock.GetUtcNow());
        }

        // A full memory sweeps when a new proof arrives; this one's reading is just inside the grace.
        _clock.Set(lastAcceptable + DPoPReplayMemory.SweepGrace);
        Assert.Equal(Outcome.Full, memory.TryRemember(Thumbprint, "one-more", In(300), _clock.GetUtcNow()));

        Assert.Equal(Outcome.Replayed, memory.TryRemember(Thumbprint, "jti-1", lastAcceptable, lastAcceptable));
    }

    [Fact]
    public void The_same_jti_under_another_key_is_another_proof()
    {
        var memory = Memory();
        memory.TryRemember(Thumbprint, "jti-1", In(300), _clock.GetUtcNow());

        Assert.Equal(Outcome.Remembered, memory.TryRemember(OtherThumbprint, "jti-1", In(300), _clock.GetUtcNow()));
    }

    [Fact]
    public void Another_jti_under_the_same_key_is_another_proof()
    {
        var memory = Memory();
        memory.TryRemember(Thumbprint, "jti-1", In(300), _clock.GetUtcNow());

        Assert.Equal(Outcome.Remembered, memory.TryRemember(Thumbprint, "jti-2", In(300), _clock.GetUtcNow()));
    }

    [Fact]
    public void Once_the_clock_passes_the_time_a_proof_was_acceptable_until_its_jti_may_be_remembered_again()
    {
        var memory = Memory();
        memory.TryRemember(Thumbprint, "jti-1", In(300), _clock.GetUtcNow());

        _clock.Advance(TimeSpan.FromSeconds(301));

        Assert.Equal(Outcome.Remembered, memory.TryRemember(Thumbprint, "jti-1", In(300), _clock.GetUtcNow()));
        Assert.Equal(Outcome.Replayed, memory.TryRemember(Thumbprint, "jti-1", In(300), _clock.GetUtcNow()));
    }

    [Fact]
    public void A_full_memory_refuses_a_new_proof_rather_than_forget_one_still_acceptable()
    {
        var memory = Memory(kilobytes: 1);
        for (var i = 0; i < EntriesInOneKilobyte; i++)
        {
            Assert.Equal(Outcome.Remembered, memory.TryRemember(Thumbprint, $"jti-{i}", In(300), _clock.GetUtcNow()));
        }

        Assert.Equal(Outcome.Full, memory.TryRemember(Thumbprint, "one-more", In(300), _clock.GetUtcNow()));
        Assert.Equal(EntriesInOneKilobyte, memory.Count);
        Assert.Equal(Outcome.Replayed, memory.TryRemember(Thumbprint, "jti-0", In(300), _clock.GetUtcNow()));
    }

    [Fact]
    public void A_full_memory_stays_full_while_its_proofs_are_still_acceptable()
    {
        var memory = Memory(kilobytes: 1);
        for (var i = 0; i < EntriesInOneKilobyte; i++)
        {
            memory.TryRemember(Thumbprint, $"jti-{i}", In(300), _clock.GetUtcNow());
        }

        _clock.Advance(TimeSpan.FromSeconds(120));

        Assert.Equal(Outcome.Full, memory.TryRemember(Thumbprint, "one-more", In(300), _clock.GetUtcNow()));
        Assert.Equal(Outcome.Replayed, memory.TryRemember(Thumbprint, $"jti-{EntriesInOneKilobyte - 1}", In(300), _clock.GetUtcNow()));
    }

    [Fact]
    public void A_full_memory_takes_new_proofs_again_once_its_proofs_have_expired()
    {
        var memory = Memory(kilobytes: 1);
        for (var i = 0; i < EntriesInOneKilobyte; i++)
        {
            memory.TryRemember(Thumbprint, $"jti-{i}", In(10), _clock.GetUtcNow());
        }

        Assert.Equal(Outcome.Full, memory.TryRemember(Thumbprint, "one-more", In(300), _clock.GetUtcNow()));

        _clock.Advance(TimeSpan.FromSeconds(11) + DPoPReplayMemory.SweepGrace);

        Assert.Equal(Outcome.Remembered, memory.TryRemember(Thumbprint, "one-more", In(300), _clock.GetUtcNow()));
        Assert.Equal(1, memory.Count);
    }

    [Fact]
    public async Task A_full_memory_filled_on_one_thread_is_swept_by_a_request_on_another()
    {
        var memory = Memory(kilobytes: 1);
        // The first of these sweeps, on this thread: a sweep that kept its lock would keep every other thread from sweeping.
        for (var i = 0; i < EntriesInOneKilobyte; i++)
        {
            memory.TryRemember(Thumbprint, $"jti-{i}", In(10), _clock.GetUtcNow());
        }

        _clock.Advance(TimeSpan.FromSeconds(11) + DPoPReplayMemory.SweepGrace);
        var outcome = await Task.Factory.StartNew(
            () => memory.TryRemember(Thumbprint, "one-more", In(300), _clock.GetUtcNow()),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        Assert.Equal(Outcome.Remembered, outcome);
    }

    [Fact]
    public void A_full_memory_looks_for_expired_proofs_at_most_once_a_second()
    {
        var memory = Memory(kilobytes: 1);
        // The first call sweeps (none is due yet) and starts the one-second wait.
        memory.TryRemember(Thumbprint, "first", In(300), _clock.GetUtcNow());
        for (var i = 1; i < EntriesInOneKilobyte; i++)
        {
            // Acceptable no more, and their sweep grace ends 100 ms from now.
            memory.TryRemember(Thumbprint, $"jti-{i}", _clock.GetUtcNow().AddMilliseconds(100) - DPoPReplayMemory.SweepGrace, _clock.GetUtcNow());
        }

        _clock.Advance(TimeSpan.FromMilliseconds(500));

        Assert.Equal(Outcome.Full, memory.TryRemember(Thumbprint, "one-more", In(300), _clock.GetUtcNow()));

        _clock.Advance(TimeSpan.FromMilliseconds(500));

        Assert.Equal(Outcome.Remembered, memory.TryRemember(Thumbprint, "one-more", In(300), _clock.GetUtcNow()));
        Assert.Equal(2, memory.Count);
    }

    [Fact]
    public void Expired_proofs_are_dropped_within_a_minute_even_when_the_memory_is_not_full()
    {
        var memory = Memory();
        for (var i = 0; i < 100; i++)
        {
            memory.TryRemember(Thumbprint, $"jti-{i}", In(10), _clock.GetUtcNow());
        }

        _clock.Advance(TimeSpan.FromMinutes(1));
        memory.TryRemember(Thumbprint, "later", In(300), _clock.GetUtcNow());

        Assert.Equal(1, memory.Count);
    }

    [Fact]
    public async Task Of_one_proof_offered_by_many_threads_at_once_exactly_one_is_remembered()
    {
        const int threads = 16;
        var memory = Memory();
        for (var round = 0; round < 200; round++)
        {
            var jti = $"jti-{round}";
            var outcomes = await RaceAsync(memory, jti, threads);

            Assert.Equal(1, outcomes.Count(o => o == Outcome.Remembered));
            Assert.Equal(threads - 1, outcomes.Count(o => o == Outcome.Replayed));
        }

        Assert.Equal(200, memory.Count);
    }

    [Fact]
    public async Task Of_one_expired_proof_taken_over_by_many_threads_at_once_exactly_one_is_remembered()
    {
        const int threads = 16;
        var memory = Memory();
        for (var round = 0; round < 100; round++)
        {
            var jti = $"jti-{round}";
            memory.TryRemember(Thumbprint, jti, In(1), _clock.GetUtcNow());
        }

        _clock.Advance(TimeSpan.FromSeconds(2));
        for (var round = 0; round < 100; round++)
        {
            var jti = $"jti-{round}";
            var outcomes = await RaceAsync(memory, jti, threads);

            Assert.Equal(1, outcomes.Count(o => o == Outcome.Remembered));
        }
    }

    // The same proof offered by every thread at once, released together by a barrier; what each was answered.
    private async Task<Outcome[]> RaceAsync(DPoPReplayMemory memory, string jti, int threads)
    {
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(_ => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait();
                return memory.TryRemember(Thumbprint, jti, In(300), _clock.GetUtcNow());
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default));
        return await Task.WhenAll(workers);
    }
}
