using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

[MessagePackObject]
public sealed class PurchaseToast
{
    /// <summary>The buyer's first name and last initial ("Alice S."), see Identity.ToastName.</summary>
    [Key("displayName")] public string DisplayName { get; set; } = "";
    [Key("sku")] public string Sku { get; set; } = "";
    [Key("quantity")] public int Quantity { get; set; }
    /// <summary>The room's event sequence number (contract v2): increases strictly per room across all nodes.</summary>
    [Key("seq")] public long Seq { get; set; }
}
