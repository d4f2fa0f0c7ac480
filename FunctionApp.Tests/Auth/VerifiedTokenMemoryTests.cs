using System.Text;
using FunctionApp.Auth;

namespace FunctionApp.Tests.Auth;

/// <summary>The verified-token memory of one key set: exact matches only, never past expiry, bounded by bytes.</summary>
public sealed class VerifiedTokenMemoryTests
{
    private static readonly DateTime Now = new(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc);

    private static (string Text, VerifiedAccessToken Verified) Token(int number, DateTime expires) =>
        ($"header.payload-{number}.signature", new VerifiedAccessToken(Encoding.UTF8.GetBytes($$"""{"n":{{number}}}"""), "k", expires));

    // Room for exactly entries tokens like those above in each of the two generations.
    private static VerifiedTokenMemory MemoryFor(int entries) =>
        new(2 * entries * VerifiedTokenMemory.CostOf(Token(0, Now).Text, Token(0, Now).Verified));

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
    public void A_token_moved_to_the_older_generation_is_not_found_from_the_instant_it_expires()
    {
        var memory = MemoryFor(1);
        var (text, verified) = Token(1, Now.AddSeconds(10));
        memory.Remember(text, verified);
        // A second token does not fit beside the first, so the first goes to the older generation.
        var (newcomer, newcomerVerified) = Token(2, Now.AddHours(1));
        memory.Remember(newcomer, newcomerVerified);

        Assert.False(memory.TryGet(text, Now.AddSeconds(10), out _));
    }

    [Fact]
    public void A_budget_of_zero_remembers_nothing()
    {
        var memory = new VerifiedTokenMemory(0);
        var (text, verified) = Token(1, Now.AddHours(1));

        memory.Remember(text, verified);

        Assert.False(memory.TryGet(text, Now, out _));
        Assert.Equal(0, memory.Count);
    }

    [Fact]
    public void The_bytes_held_never_exceed_the_budget()
    {
        var memory = MemoryFor(4);
        var budget = 2 * 4 * VerifiedTokenMemory.CostOf(Token(0, Now).Text, Token(0, Now).Verified);

        for (var number = 0; number < 100; number++)
        {
            var (text, verified) = Token(number, Now.AddHours(1));
            memory.Remember(text, verified);
            Assert.InRange(memory.Bytes, 0, budget);
        }
    }

    [Fact]
    public void When_full_the_oldest_tokens_are_forgotten_first()
    {
        var memory = MemoryFor(2);
        var tokens = Enumerable.Range(0, 6).Select(n => Token(n, Now.AddHours(1))).ToArray();

        foreach (var (text, verified) in tokens)
        {
            memory.Remember(text, verified);
        }

        Assert.False(memory.TryGet(tokens[0].Text, Now, out _));
        Assert.False(memory.TryGet(tokens[1].Text, Now, out _));
        Assert.True(memory.TryGet(tokens[4].Text, Now, out _));
        Assert.True(memory.TryGet(tokens[5].Text, Now, out _));
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
    public void A_token_larger_than_half_the_budget_is_not_remembered()
    {
        var memory = MemoryFor(1);
        var large = new string('a', 1000);

        memory.Remember(large, Token(1, Now.AddHours(1)).Verified);

        Assert.False(memory.TryGet(large, Now, out _));
    }

    [Fact]
    public void Text_that_is_not_ascii_is_neither_remembered_nor_taken_for_a_remembered_token()
    {
        var memory = MemoryFor(10);
        var (text, verified) = Token(1, Now.AddHours(1));
        memory.Remember(text, verified);
        // U+0168 narrows to the byte of 'h' (0x68): a lookup must compare characters, not truncated bytes.
        var lookalike = "\u0168" + text[1..];

        memory.Remember("h\u00e9ader.payload.signature", verified);

        Assert.Equal(1, memory.Count);
        Assert.False(memory.TryGet(lookalike, Now, out _));
        Assert.True(memory.TryGet(text, Now, out _));
    }
}
