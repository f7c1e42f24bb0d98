using System.Globalization;
using System.Text;

namespace Relay.Ingest.Egress;

/// <summary>
/// Makes text a destination server chose (status codes, descriptions: up to 64 KiB each) fit for <c>lastError</c> and
/// the logs. A server may echo the publish path back, encoded or not, and may put CR/LF in it to forge log lines, so
/// the text is percent-decoded, the stream key masked, control and formatting characters removed and the result
/// truncated. A copy of part of the key (8 characters or more) is masked too.
/// </summary>
public static class ServerText
{
    /// <summary>Longest description kept: enough for what real servers say ("Stream key is invalid", "Duplicate stream").</summary>
    public const int MaxLength = 200;

    /// <summary>Shortest run of the key's characters that counts as a copy of the key.</summary>
    private const int PartialKeyLength = 8;

    /// <summary>The text scanned at most: anything after it would be truncated away anyway.</summary>
    private const int MaxScanned = 16 * MaxLength;

    public static string Clean(string? text, string? secret, int maxLength = MaxLength)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var value = text.Length > MaxScanned ? text[..MaxScanned] : text;
        if (!string.IsNullOrEmpty(secret))
        {
            value = value.Replace(secret, UrlRedactor.Mask, StringComparison.Ordinal); // before decoding: a key may hold '%'
        }

        // %6B%65%79 and %256B (encoded twice) are the key too; decoding also exposes encoded CR/LF to the filter below.
        for (var i = 0; i < 3; i++)
        {
            var decoded = Uri.UnescapeDataString(value);
            if (decoded == value) break;
            value = decoded;
        }

        if (!string.IsNullOrEmpty(secret))
        {
            value = value.Replace(secret, UrlRedactor.Mask, StringComparison.Ordinal);
            var query = secret.IndexOf('?', StringComparison.Ordinal);
            if (query > 0)
            {
                value = value.Replace(secret[..query], UrlRedactor.Mask, StringComparison.Ordinal);
            }
        }

        value = Truncate(StripControls(value), maxLength);
        return string.IsNullOrEmpty(secret) ? value : MaskPartialCopies(value, secret);
    }

    /// <summary>Control characters and line or paragraph separators become one space; formatting characters go.</summary>
    private static string StripControls(string value)
    {
        var output = new StringBuilder(value.Length);
        var space = false;
        foreach (var c in value)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category is UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                if (!space) output.Append(' ');
                space = true;
                continue;
            }

            // Bidi overrides and zero-width characters would make an error read differently from what it says.
            if (category == UnicodeCategory.Format)
            {
                continue;
            }

            output.Append(c);
            space = false;
        }

        return output.ToString().Trim();
    }

    private static string Truncate(string value, int maxLength)
    {
        if (value.Length <= maxLength)
        {
            return value;
        }

        var cut = maxLength - 1;
        if (char.IsHighSurrogate(value[cut - 1]))
        {
            cut--;
        }

        return value[..cut] + "…";
    }

    /// <summary>Masks every run of 8 or more characters that also occurs in the key (a cut or partial echo).</summary>
    private static string MaskPartialCopies(string value, string secret)
    {
        if (secret.Length < PartialKeyLength || value.Length < PartialKeyLength)
        {
            return value;
        }

        var output = new StringBuilder(value.Length);
        var i = 0;
        while (i < value.Length)
        {
            var length = 0;
            while (i + length < value.Length && secret.AsSpan().IndexOf(value.AsSpan(i, length + 1), StringComparison.Ordinal) >= 0)
            {
                length++;
            }

            if (length >= PartialKeyLength)
            {
                output.Append(UrlRedactor.Mask);
                i += length;
            }
            else
            {
                output.Append(value[i]);
                i++;
            }
        }

        return output.ToString();
    }
}
