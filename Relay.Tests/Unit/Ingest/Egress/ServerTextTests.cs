using CsCheck;
using Relay.Ingest.Egress;

namespace Relay.Tests.Unit.Ingest.Egress;

/// <summary>Review finding L6: what a destination server writes reaches lastError and the logs only cleaned.</summary>
public sealed class ServerTextTests
{
    private const string Key = "live_8f2Kq9ZxW3?s_bl=1";

    [Theory]
    [InlineData("bad key live_8f2Kq9ZxW3?s_bl=1", "bad key ****")] // verbatim
    [InlineData("bad key live_8f2Kq9ZxW3", "bad key ****")] // without its query
    [InlineData("bad key live%5F8f2Kq9ZxW3%3Fs_bl%3D1", "bad key ****")] // URL-encoded
    [InlineData("bad key %6c%69%76%65%5f%38%66%32%4b%71%39%5a%78%57%33", "bad key ****")] // every byte, lower-case hex
    [InlineData("bad key live%255F8f2Kq9ZxW3", "bad key ****")] // encoded twice
    [InlineData("stream /app/8f2Kq9ZxW3 is busy", "stream /app/**** is busy")] // a partial copy, 10 of its characters
    [InlineData("line one\r\nline two\u2028three\tfour", "line one line two three four")]
    [InlineData("a%0D%0Aforged", "a forged")] // CR/LF smuggled encoded
    [InlineData("\u202Edesrever\u200B ok", "desrever ok")] // bidi override and zero-width space
    [InlineData("100% sure", "100% sure")] // not every % is an encoding
    [InlineData(null, "")]
    public void Masks_the_key_in_every_form_and_removes_control_characters(string? text, string expected)
    {
        Assert.Equal(expected, ServerText.Clean(text, Key));
    }

    [Fact]
    public void Long_text_is_cut_to_200_characters_without_splitting_a_surrogate_pair()
    {
        var cleaned = ServerText.Clean(new string('a', 198) + "😀" + new string('b', 64 * 1024), null);
        Assert.Equal(ServerText.MaxLength - 1, cleaned.Length);
        Assert.EndsWith("a…", cleaned);
        Assert.Equal(ServerText.MaxLength, ServerText.Clean(new string('c', 300), Key).Length);
    }

    [Fact]
    public void Any_text_comes_out_one_line_short_and_without_the_key()
    {
        // Server text built from pieces of the key (plain and encoded), separators, control characters and filler.
        var pieces = new[] { Key, Uri.EscapeDataString(Key), "%25", "%0A", "\r\n", "\u0000", "\u2028", "\u202E", " ", "%", "x", "é", "😀", Key[..9], Key[5..] };
        var text = Gen.Int[0, pieces.Length - 1].Array[0, 80].Select(ix => string.Concat(ix.Select(i => pieces[i])));
        text.Sample(t =>
        {
            var cleaned = ServerText.Clean(t, Key);
            Assert.True(cleaned.Length <= ServerText.MaxLength, cleaned);
            Assert.DoesNotContain(cleaned, c => char.IsControl(c) || c is '\u2028' or '\u202E');
            Assert.DoesNotContain("8f2Kq9Zx", cleaned, StringComparison.Ordinal);
        }, iter: 2000);
    }
}
