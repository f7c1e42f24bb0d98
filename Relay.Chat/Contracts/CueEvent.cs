using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

/// <summary>
/// v2 `cue`: the moment of the stream a host action belongs to (contract v2, "Media-time events"), sent right after the
/// action's own event (`pinned`, `flashSale`, `coupon`, `draw`). A page with a player shows the action's card when the
/// picture it plays reaches <see cref="StreamTimeMs"/>; the same cue is written into HTTP-FLV and the recording as an
/// <c>onCuePoint</c> script tag.
/// </summary>
[MessagePackObject]
public sealed class CueEvent
{
    /// <summary>The room's event sequence number (contract v2): increases strictly per room across all nodes.</summary>
    [Key("seq")] public long Seq { get; set; }
    /// <summary><c>pin</c>, <c>sale</c>, <c>coupon</c> or <c>draw</c> (<see cref="CueKinds"/>).</summary>
    [Key("kind")] public string Kind { get; set; } = "";
    /// <summary>The ingest's stream time (its FLV/RTMP timestamp) in ms when the host acted.</summary>
    [Key("streamTimeMs")] public long StreamTimeMs { get; set; }
    /// <summary>What it cues: the sku (pin, sale), the couponId (coupon) or the drawId (draw).</summary>
    [Key("id")] public string Id { get; set; } = "";
}
