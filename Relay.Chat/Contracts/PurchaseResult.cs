using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

[MessagePackObject]
public sealed class PurchaseResult
{
    /// <summary>`reserved`, `sold_out`, `not_on_sale`, `limit_exceeded`, `login_required`, `invalid`.</summary>
    [Key("status")] public string Status { get; set; } = "";
    [Key("orderId")] public string? OrderId { get; set; }
    [Key("reason")] public string? Reason { get; set; }
    /// <summary>The price per unit the reservation was made at (v2): the member price, flash sale price or list price.</summary>
    [Key("unitPriceCents")] public long? UnitPriceCents { get; set; }
    /// <summary>True when <see cref="UnitPriceCents"/> is the line-up item's member price (v2).</summary>
    [Key("memberPrice")] public bool? MemberPrice { get; set; }
}
