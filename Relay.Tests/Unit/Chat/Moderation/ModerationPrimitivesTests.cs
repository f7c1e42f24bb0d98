using System.Globalization;
using System.Text;
using CsCheck;
using Relay.Chat.Identity;
using Relay.Chat.Rooms;

namespace Relay.Tests.Unit.Chat.Moderation;

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
    public void Characters_outside_the_BMP_are_judged_whole_and_lone_surrogates_dropped()
    {
        // Tag characters (U+E0000 block) are format characters in two UTF-16 units; per unit they looked harmless.
        Assert.Equal("abc", TextSanitizer.Clean("a\U000E0041b\uD800c", 100));
        Assert.Equal("❤\uFE0F 𝐛", TextSanitizer.Clean("❤\uFE0F 𝐛", 100));
        Assert.Equal("spoiler", TextSanitizer.MatchForm("ＳＰ\U000E0020𝐨𝒾\uFE0Fl\u0336ÉＲ"));
    }

    [Fact]
    public void The_match_form_takes_any_text_and_leaves_no_invisible_code_points() =>
        Gen.String.Sample(text =>
        {
            var form = TextSanitizer.MatchForm(text);
            foreach (var rune in form.EnumerateRunes())
                Assert.False(Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format or UnicodeCategory.NonSpacingMark or UnicodeCategory.Control,
                    $"U+{rune.Value:X4} left in the match form");
        });

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
