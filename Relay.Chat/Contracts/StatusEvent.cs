using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

[MessagePackObject]
public sealed class StatusEvent
{
    [Key("live")] public bool Live { get; set; }
    /// <summary>The room's event sequence number (contract v2): increases strictly per room across all nodes.</summary>
    [Key("seq")] public long Seq { get; set; }
}
