using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

/// <summary>v2 `likes`: the channel's like total, sent at most 4 times a second per room (the same total on every node).</summary>
[MessagePackObject]
public sealed class LikesEvent
{
    [Key("total")] public long Total { get; set; }
    /// <summary>The room's event sequence number (contract v2): increases strictly per room across all nodes.</summary>
    [Key("seq")] public long Seq { get; set; }
}
