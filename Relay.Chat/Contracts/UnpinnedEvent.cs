using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

/// <summary>The `unpinned` event. It had no payload before contract v2; it now carries the room's <c>seq</c> (JavaScript
/// handlers written for no argument ignore it).</summary>
[MessagePackObject]
public sealed class UnpinnedEvent
{
    /// <summary>The room's event sequence number (contract v2): increases strictly per room across all nodes.</summary>
    [Key("seq")] public long Seq { get; set; }
}
