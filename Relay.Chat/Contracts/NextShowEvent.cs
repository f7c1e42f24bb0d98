using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

/// <summary>`nextShow`: the host set, moved or cleared the next show's time (the offline watch page's countdown).</summary>
[MessagePackObject]
public sealed class NextShowEvent
{
    /// <summary>UTC; null when there is no next show announced. A MessagePack timestamp, an ISO 8601 string in JSON.</summary>
    [Key("nextShowAt")] public DateTime? NextShowAt { get; set; }
    [Key("seq")] public long Seq { get; set; }
}
