namespace Relay.Chat.Referrals;

/// <summary>What a share code looks like: 10 characters of lower-case base32 (a-z, 2-7), safe in a URL as is.</summary>
public static class ShareCodeFormat
{
    public const int Length = 10;

    public static bool IsWellFormed(string? code) =>
        code is { Length: Length } && code.All(c => c is (>= 'a' and <= 'z') or (>= '2' and <= '7'));
}
