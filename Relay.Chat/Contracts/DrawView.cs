using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

/// <summary>v2 `draw`: a draw as the room shows it (sent at its start, then with new entrant counts, paced); the Join
/// snapshot's <c>draw</c> is the room's latest draw, with its <see cref="Result"/> once it ended.</summary>
[MessagePackObject]
public sealed class DrawView
{
    [Key("drawId")] public string DrawId { get; set; } = "";
    [Key("sku")] public string Sku { get; set; } = "";
    [Key("winners")] public int Winners { get; set; }
    /// <summary>UTC.</summary>
    [Key("endsAt")] public DateTime EndsAt { get; set; }
    [Key("requires")] public string Requires { get; set; } = "none";
    /// <summary>Lowercase hex SHA-256 of the secret seed (published at the end, in the result).</summary>
    [Key("commitment")] public string Commitment { get; set; } = "";
    [Key("entrants")] public int Entrants { get; set; }
    /// <summary>The room's event sequence number (contract v2): increases strictly per room across all nodes.</summary>
    [Key("seq")] public long Seq { get; set; }
    /// <summary>False once the draw ended.</summary>
    [Key("active")] public bool Active { get; set; }
    /// <summary>The result once the draw ended; null while it runs.</summary>
    [Key("result")] public DrawResultView? Result { get; set; }
}
