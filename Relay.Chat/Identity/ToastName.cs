namespace Relay.Chat.Identity;

/// <summary>
/// The buyer's name in a `purchase` toast, which every viewer sees: the first name and the last name's initial
/// ("Alice S."), never a full name or an e-mail address that a shop put in the JWT `name` claim.
/// </summary>
internal static class ToastName
{
    public const int MaxFirstNameLength = 20;

    public static string Of(string? displayName)
    {
        var words = (displayName ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return "";
        var first = words[0];
        var at = first.IndexOf('@');
        if (at >= 0) first = first[..at];
        first = TextSanitizer.Truncate(first, MaxFirstNameLength);
        if (first.Length == 0) return "";
        return words.Length > 1 && !words[^1].Contains('@') && char.IsLetter(words[^1][0])
            ? $"{first} {char.ToUpperInvariant(words[^1][0])}."
            : first;
    }
}
