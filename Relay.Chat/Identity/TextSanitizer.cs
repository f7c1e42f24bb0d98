using System.Globalization;
using System.Text;

namespace Relay.Chat.Identity;

/// <summary>Plain text only: control and formatting characters (bidi overrides, zero-width joiners and the
/// supplementary-plane tag characters used to smuggle banned terms) are dropped, runs of whitespace collapse to one
/// space. Works on code points, so a character outside the BMP is judged whole, never by its surrogate halves.</summary>
internal static class TextSanitizer
{
    public static string Clean(string? text, int maxLength)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var builder = new StringBuilder(Math.Min(text.Length, maxLength + 1));
        var pendingSpace = false;
        Span<char> units = stackalloc char[2];
        // An unpaired surrogate enumerates as U+FFFD; it is dropped with the rest below.
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune)) { pendingSpace = builder.Length > 0; continue; }
            if (rune == Rune.ReplacementChar) continue;
            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format) continue;
            if (pendingSpace) { builder.Append(' '); pendingSpace = false; }
            builder.Append(units[..rune.EncodeToUtf16(units)]);
            // One past the limit is enough for the caller to know it was too long.
            if (builder.Length > maxLength)
            {
                builder.Length = maxLength + 1;
                break;
            }
        }
        return builder.ToString();
    }

    /// <summary>Cuts at <paramref name="maxLength"/> without splitting a surrogate pair.</summary>
    public static string Truncate(string text, int maxLength) =>
        text.Length <= maxLength ? text : text[..(char.IsHighSurrogate(text[maxLength - 1]) ? maxLength - 1 : maxLength)].TrimEnd();

    /// <summary>
    /// The form banned terms are matched in: compatibility-folded (full-width, mathematical, circled and
    /// parenthesized letters, ligatures, CJK compatibility ideographs become their plain letters; accented letters
    /// lose the accent), then without format characters (zero-width, bidi, the U+E0000 tags), variation selectors and
    /// combining marks (stacked to disguise a word), lower-cased. This is NFKC's folding done by
    /// <see cref="CompatibilityFold"/>, because string.Normalize is a no-op under InvariantGlobalization. Only for
    /// comparing: what is shown keeps the text as written (folding would, e.g., turn full-width CJK punctuation into ASCII).
    /// </summary>
    public static string MatchForm(string text)
    {
        var builder = new StringBuilder(text.Length);
        Span<char> units = stackalloc char[2];
        // An unpaired surrogate enumerates as U+FFFD and is dropped.
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune == Rune.ReplacementChar) continue;
            if (CompatibilityFold.Of(rune) is not { } folded)
            {
                if (!IsInvisible(rune)) builder.Append(units[..Rune.ToLowerInvariant(rune).EncodeToUtf16(units)]);
                continue;
            }
            foreach (var part in folded.EnumerateRunes())
                if (!IsInvisible(part)) builder.Append(units[..Rune.ToLowerInvariant(part).EncodeToUtf16(units)]);
        }
        return builder.ToString();
    }

    /// <summary>Code points that change no letter of a word: format (Cf, which holds the U+E0000 tag block),
    /// control, combining marks and variation selectors (U+FE00-FE0F, U+E0100-E01EF).</summary>
    private static bool IsInvisible(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format or UnicodeCategory.Control or UnicodeCategory.NonSpacingMark
            or UnicodeCategory.EnclosingMark
        || rune.Value is >= 0xFE00 and <= 0xFE0F or >= 0xE0100 and <= 0xE01EF;
}
