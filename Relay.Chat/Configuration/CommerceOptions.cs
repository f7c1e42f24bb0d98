namespace Relay.Chat.Configuration;

/// <summary>`Relay:Commerce`.</summary>
public sealed class CommerceOptions
{
    public const string Section = "Relay:Commerce";

    public bool AllowGuestCheckout { get; set; } = true;

    public int MaxQuantityPerOrder { get; set; } = 10;

    /// <summary>Guests get `login_required` for flash-sale purchases (the pinned product stays open to them).</summary>
    public bool FlashSaleRequiresLogin { get; set; }
}
