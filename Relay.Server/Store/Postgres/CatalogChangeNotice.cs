namespace Relay.Server.Store.Postgres;

/// <summary>
/// The notification a catalog write sends in its own transaction (<c>NOTIFY relay_channels</c>), so every node hears
/// of a committed change and of nothing else: <c>"{origin} {channelId}"</c>, where the origin is the writing process
/// (a node skips its own writes: it applied them already) and the channel id is the one to read again.
/// </summary>
public static class CatalogChangeNotice
{
    /// <summary>The PostgreSQL notification channel.</summary>
    public const string Channel = "relay_channels";

    public static string Format(string origin, string channelId) => $"{origin} {channelId}";

    public static bool TryParse(string? payload, out string origin, out string channelId)
    {
        origin = channelId = "";
        var space = payload?.IndexOf(' ') ?? -1;
        if (space <= 0 || space == payload!.Length - 1)
        {
            return false;
        }
        origin = payload[..space];
        channelId = payload[(space + 1)..];
        return true;
    }
}
