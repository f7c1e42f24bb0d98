namespace Relay.Chat.Ledger;

/// <summary>
/// <c>{channelId}~{yyyyMMddTHHmmssfff}</c>: '~' is never part of a channel id, so an archive id cannot be joined,
/// listed or created through the API.
/// </summary>
public static class ArchivedChannelId
{
    public const char Separator = '~';

    public static string For(string channelId, DateTimeOffset deletedAt) =>
        channelId + Separator + deletedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The channel id an order was placed on, archived or not.</summary>
    public static string Original(string channelId)
    {
        var cut = channelId.IndexOf(Separator, StringComparison.Ordinal);
        return cut > 0 ? channelId[..cut] : channelId;
    }
}
