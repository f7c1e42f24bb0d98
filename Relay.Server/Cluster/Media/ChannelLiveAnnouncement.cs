using System.Globalization;

namespace Relay.Server.Cluster.Media;

/// <summary>
/// One message on <see cref="RedisChannelLeaseStore.LiveChannel"/>: <c>live|node|sinceUnixMs|channel</c> or
/// <c>offline|node|sinceUnixMs|channel</c>. The owner sends "live" when it takes a channel and at every renewal (a
/// heartbeat: a node that hears none for a lease's length takes the channel for offline), "offline" when it lets go.
/// </summary>
public sealed record ChannelLiveAnnouncement(string ChannelId, string NodeId, DateTimeOffset Since, bool Live)
{
    public override string ToString() =>
        $"{(Live ? "live" : "offline")}|{NodeId}|{Since.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}|{ChannelId}";

    /// <summary>Null for anything that is not a well-formed announcement.</summary>
    public static ChannelLiveAnnouncement? Parse(string? message)
    {
        var parts = message?.Split('|', 4);
        if (parts is not { Length: 4 } || parts[0] is not ("live" or "offline") || parts[1].Length == 0 || parts[3].Length == 0
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var since))
        {
            return null;
        }

        return new ChannelLiveAnnouncement(parts[3], parts[1], DateTimeOffset.FromUnixTimeMilliseconds(since), parts[0] == "live");
    }
}
