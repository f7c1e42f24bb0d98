namespace Relay.Chat.Channels;

/// <summary>
/// Told what happens in live rooms, so the host can keep a show's time line (viewers, messages, pins and sales). The
/// default keeps nothing. Must not throw or block: it runs on the hub call's and the room bus's paths.
/// </summary>
public interface IRoomActivity
{
    /// <summary>A viewer (not a host) joined the room on this node; <paramref name="viewerId"/> is the room's display id
    /// of the user or guest (the same person keeps it across connections and nodes).</summary>
    void ViewerJoined(string channelId, string viewerId, DateTimeOffset at);

    /// <summary>The room went live: the viewers connected to this node at <paramref name="at"/> (who joined before).</summary>
    void ViewersPresent(string channelId, IReadOnlyList<string> viewerIds, DateTimeOffset at);

    /// <summary>An event of the room, heard once on every node in the room's order (the bus's seq).</summary>
    void Heard(RoomActivityEvent activity);
}
