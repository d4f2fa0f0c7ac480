using System.Text;
using FunctionApp.Auth;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Auth;

/// <summary>The verified-token memory of one key set: exact matches only, never past expiry, bounded by bytes.</summary>
public sealed class VerifiedTokenMemoryTests
{
    private static readonly DateTime Now = new(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc);

    private static (string Text, VerifiedAccessToken Verified) Token(int number, DateTime expires) =>
        ($"header.payload-{number}.signature", new VerifiedAccessToken(Encoding.UTF8.GetBytes($$"""{"n":{{number}}}"""), "k", expires));

    private static long CostOfOne => VerifiedTokenMemory.CostOf(Token(0, Now).Text, Token(0, Now).Verified);

    // Room for exactly that many tokens like those above. Every use reads the clock once and finds it a tick later,
    // so "least recently used" is always one entry, whatever the machine's clock resolution.
    private static VerifiedTokenMemory MemoryFor(int entries) =>
        new(entries * CostOfOne, new InProcessValidator.ManualClock { TicksPerReading = 1 });

    [Fact]
    public void A_remembered_token_is_found_by_its_exact_text_only()
    {
        var memory = MemoryFor(10);
        var (text, verified) = Token(1, Now.AddHours(1));

        memory.Remember(text, verified);

        Assert.True(memory.TryGet(text, Now, out var found));
        Assert.Same(verified, found);
        Assert.False(memory.TryGet(text[..^1] + "X", Now, out _));
        Assert.False(memory.TryGet(text.ToUpperInvariant(), Now, out _));
    }

    [Fact]
    public void An_expired_token_is_not_found_and_is_forgotten()
    {
        var memory = MemoryFor(10);
        var (text, verified) = Token(1, Now.AddSeconds(10));
        memory.Remember(text, verified);

        Assert.False(memory.TryGet(text, Now.AddSeconds(20), out _));
        Assert.False(memory.TryGet(text, Now, out _));
        Assert.Equal(0, memory.Bytes);
    }

    [Fact]
    public void A_token_is_not_found_from_the_instant_its_expiry_is_reached()
    {
        var memory = MemoryFor(10);
        var (text, verified) = Token(1, Now);
        memory.Remember(text, verified);

        Assert.True(memory.TryGet(text, Now.AddTicks(-1), out _));
        Assert.False(memory.TryGet(text, Now, out _));
    }

    [Fact]
    public void A_budget_of_zero_remembers_nothing()
    {
        var memory = new VerifiedTokenMemory(0, TimeProvider.System);
        var (text, verified) = Token(1, Now.AddHours(1));

        memory.Remember(text, verified);

        Assert.False(memory.TryGet(text, Now, out _));
        Assert.Equal(0, memory.Count);
    }

    [Fact]
    public void The_bytes_held_never_exceed_the_budget()
    {
        var memory = MemoryFor(4);

        for (var number = 0; number < 100; number++)
        {
            var (text, verified) = Token(number, Now.AddHours(1));
            memory.Remember(text, verified);
            Assert.InRange(memory.Bytes, 0, 4 * CostOfOne);
        }
    }

    [Fact]
    public void The_bytes_held_are_the_estimated_costs_of_the_tokens_held()
    {
        var memory = MemoryFor(10);

        memory.Remember(Token(1, Now.AddHours(1)).Text, Token(1, Now.AddHours(1)).Verified);
        memory.Remember(Token(2, Now.AddHours(1)).Text, Token(2, Now.AddHours(1)).Verified);

        Assert.Equal(2, memory.Count);
        Assert.Equal(2 * CostOfOne, memory.Bytes);
    }

    [Fact]
    public void When_full_a_new_token_is_remembered_and_the_oldest_is_forgotten()
    {
        var memory = MemoryFor(3);
        var tokens = Enumerable.Range(0, 4).Select(n => Token(n, Now.AddHours(1))).ToArray();

        foreach (var (text, verified) in tokens)
        {
            memory.Remember(text, verified);
        }

        Assert.False(memory.TryGet(tokens[0].Text, Now, out _));
        Assert.True(memory.TryGet(tokens[1].Text, Now, out _));
        Assert.True(memory.TryGet(tokens[2].Text, Now, out _));
        Assert.True(memory.TryGet(tokens[3].Text, Now, out _));
    }

    [Fact]
    public void A_token_still_in_use_outlives_tokens_that_are_not()
    {
        var memory = MemoryFor(2);
        var tokens = Enumerable.Range(0, 6).Select(n => Token(n, Now.AddHours(1))).ToArray();
        memory.Remember(tokens[0].Text, tokens[0].Verified);
        memory.Remember(tokens[1].Text, tokens[1].Verified);

        for (var next = 2; next < tokens.Length; next++)
        {
            // The first client comes back between every newcomer; the second never does.
            Assert.True(memory.TryGet(tokens[0].Text, Now, out _));
            memory.Remember(tokens[next].Text, tokens[next].Verified);
        }

        Assert.True(memory.TryGet(tokens[0].Text, Now, out _));
        Assert.False(memory.TryGet(tokens[1].Text, Now, out _));
    }

    [Fact]
    public void A_token_larger_than_the_budget_is_not_remembered()
    {
        var memory = MemoryFor(1);
        var large = new string('a', 1000);

        memory.Remember(large, Token(1, Now.AddHours(1)).Verified);

        Assert.False(memory.TryGet(large, Now, out _));
        Assert.Equal(0, memory.Count);
    }
}
