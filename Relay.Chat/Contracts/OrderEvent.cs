using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

[MessagePackObject]
public sealed class OrderEvent
{
    [Key("orderId")] public string OrderId { get; set; } = "";
    /// <summary>`confirmed` or `failed`.</summary>
    [Key("status")] public string Status { get; set; } = "";
    /// <summary>Where the buyer pays, when the order API's 2xx answer named one (v2).</summary>
    [Key("checkoutUrl")] public string? CheckoutUrl { get; set; }
}
