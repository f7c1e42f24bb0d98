using System.Globalization;
using CsCheck;
using Relay.Chat.Identity;
using Relay.Chat.Rooms;

namespace Relay.Tests.Chat;

public sealed class ModerationPrimitivesTests
{
    [Fact]
    public void Cleaned_text_is_plain_single_spaced_and_bounded() =>
        Gen.Select(Gen.String, Gen.Int[1, 40]).Sample((text, max) =>
        {
            var clean = TextSanitizer.Clean(text, max);
            // One character past the limit only signals "too long".
            Assert.True(clean.Length <= max + 1, $"{clean.Length} > {max + 1}");
            Assert.DoesNotContain(clean, c => char.IsControl(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format);
            if (clean.Length <= max) Assert.Equal(clean.Trim(), clean);
            Assert.DoesNotContain("  ", clean);
            var cut = TextSanitizer.Truncate(clean, max);
            Assert.True(cut.Length <= max);
            Assert.Equal(cut.Trim(), cut);
            Assert.False(cut.Length > 0 && char.IsHighSurrogate(cut[^1]));
        });

    [Fact]
    public void Zero_width_and_bidi_characters_cannot_hide_a_banned_term() =>
        Assert.Equal("spoiler alert", TextSanitizer.Clean("spo\u200Biler\u202E\t\nalert", 100));

    [Fact]
    public void A_token_bucket_never_grants_more_than_its_burst_plus_refill() =>
        Gen.Select(Gen.Int[1, 10], Gen.Double[0.1, 5], Gen.Int[0, 2000].Array[1, 200]).Sample((capacity, rate, stepsMs) =>
        {
            var start = DateTimeOffset.UnixEpoch;
            var bucket = new TokenBucket(capacity, rate, start);
            var now = start;
            var granted = 0;
            foreach (var step in stepsMs)
            {
                now = now.AddMilliseconds(step);
                if (bucket.TryTake(now, out var wait)) granted++;
                else Assert.InRange(wait.TotalSeconds, 0, 1 / rate + 1e-9);
            }
            Assert.True(granted <= capacity + (now - start).TotalSeconds * rate + 1e-9);
        });
}
