using System.Text;
using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;

namespace Relay.Chat.Identity;

/// <summary>
/// Which display names a guest or viewer may not take: the role words of <see cref="ChatOptions.ReservedDisplayNames"/>
/// and the names the room's host uses, so "Host", "ｈｏｓｔ", "H.O.S.T" or the host's own name cannot pass for the host
/// in chat and toasts (the role badge stays the real proof). Compared on <see cref="Skeleton"/>s.
/// </summary>
internal sealed class DisplayNames(IOptions<ChatOptions> options)
{
    private readonly string[] _reserved = [.. options.Value.ReservedDisplayNames.Select(Skeleton).Where(s => s.Length > 0).Distinct()];

    /// <summary>Letters and digits of the name's match form (folded, lower-case), without spaces or punctuation.</summary>
    public static string Skeleton(string name) => string.Concat(Words(name));

    public bool IsReserved(string name, IReadOnlyCollection<string> hostSkeletons)
    {
        var words = Words(name);
        var skeleton = string.Concat(words);
        if (skeleton.Length == 0) return false;
        foreach (var reserved in _reserved)
        {
            // A Latin word must be a whole word ("Ghost" is fine, "Host Anna" is not); CJK has no spaces between words.
            if (skeleton == reserved || words.Contains(reserved) || (!Ascii.IsValid(reserved) && skeleton.Contains(reserved, StringComparison.Ordinal)))
                return true;
        }
        // The host's name inside a longer one ("Lena Beauty official") only counts when it is not a tiny word.
        return hostSkeletons.Any(host => skeleton == host || (host.Length >= 4 && skeleton.Contains(host, StringComparison.Ordinal)));
    }

    private static List<string> Words(string name)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var rune in TextSanitizer.MatchForm(name).EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune)) { word.Append(rune.ToString()); continue; }
            if (word.Length > 0) { words.Add(word.ToString()); word.Clear(); }
        }
        if (word.Length > 0) words.Add(word.ToString());
        return words;
    }
}
