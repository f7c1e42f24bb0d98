using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

/// <summary>v2 `drawResult`: the winners, the seed whose SHA-256 is the commitment, and the entrant count; the sorted
/// entrant ids are at <c>GET /api/v1/channels/{id}/draws/{drawId}</c> (docs/live-room.md: how to recompute).</summary>
[MessagePackObject]
public sealed class DrawResultView
{
    [Key("drawId")] public string DrawId { get; set; } = "";
    [Key("winners")] public List<DrawWinnerView> Winners { get; set; } = [];
    /// <summary>Lowercase hex of the 32-byte seed.</summary>
    [Key("seed")] public string Seed { get; set; } = "";
    [Key("entrants")] public int Entrants { get; set; }
    /// <summary>The room's event sequence number (contract v2): increases strictly per room across all nodes.</summary>
    [Key("seq")] public long Seq { get; set; }
}
