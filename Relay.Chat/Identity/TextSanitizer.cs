using System.Text;

namespace Relay.Chat.Identity;

/// <summary>Plain text only: control and formatting characters (bidi overrides, zero-width joiners used to
/// smuggle banned terms) are dropped, runs of whitespace collapse to one space.</summary>
internal static class TextSanitizer
{
    public static string Clean(string? text, int maxLength)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var builder = new StringBuilder(Math.Min(text.Length, maxLength + 1));
        var pendingSpace = false;
        foreach (var ch in text)
        {
            if (char.IsWhiteSpace(ch)) { pendingSpace = builder.Length > 0; continue; }
            var category = char.GetUnicodeCategory(ch);
            if (category is System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format) continue;
            if (pendingSpace) { builder.Append(' '); pendingSpace = false; }
            builder.Append(ch);
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
}
