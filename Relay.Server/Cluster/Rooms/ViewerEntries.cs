using System.Globalization;

namespace Relay.Server.Cluster.Rooms;

/// <summary>The per-node viewer counts of a room as Redis keeps them (<see cref="RoomKeys.Viewers"/>): node id ->
/// <c>{count}|{expires, Unix ms}</c>. Pure; the Lua of <see cref="RoomScripts.Viewers"/> applies the same rule.</summary>
internal static class ViewerEntries
{
    public static string Entry(int count, long expiresAtMs) =>
        count.ToString(CultureInfo.InvariantCulture) + "|" + expiresAtMs.ToString(CultureInfo.InvariantCulture);

    /// <summary>The live counts: entries not expired at <paramref name="nowMs"/>, the bookkeeping field and unreadable
    /// values left out.</summary>
    public static Dictionary<string, int> Live(IEnumerable<KeyValuePair<string, string>> entries, long nowMs)
    {
        var live = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (node, value) in entries)
        {
            if (node.StartsWith('_')) continue;
            var bar = value.IndexOf('|');
            if (bar < 1
                || !int.TryParse(value.AsSpan(0, bar), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count)
                || !long.TryParse(value.AsSpan(bar + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var expires)
                || expires <= nowMs)
                continue;
            live[node] = count;
        }
        return live;
    }
}
