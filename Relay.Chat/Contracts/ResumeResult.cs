using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

/// <summary>
/// What <c>Resume(channelId, lastSeq)</c> answers a client that reconnected: the room events it missed, oldest first
/// (<see cref="Events"/>), or, when the room no longer keeps them all, a fresh <see cref="Snapshot"/> to start over from.
/// Exactly one of the two is set. Either way the connection is joined again and <see cref="Seq"/> is the last event the
/// answer includes: live events at or below it are already in it.
/// </summary>
[MessagePackObject]
public sealed class ResumeResult
{
    [Key("seq")] public long Seq { get; set; }
    [Key("events")] public List<RoomEventView>? Events { get; set; }
    [Key("snapshot")] public JoinSnapshot? Snapshot { get; set; }
    /// <summary>Who the server takes the caller for (as in the snapshot); also set when only events are returned.</summary>
    [Key("you")] public ParticipantView You { get; set; } = new();
}
