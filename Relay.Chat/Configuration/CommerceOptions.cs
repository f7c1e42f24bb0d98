namespace Relay.Chat.Configuration;

/// <summary>`Relay:Commerce`.</summary>
public sealed class CommerceOptions
{
    public const string Section = "Relay:Commerce";

    public bool AllowGuestCheckout { get; set; } = true;

    public int MaxQuantityPerOrder { get; set; } = 10;

    /// <summary>Units one buyer may hold (orders not failed) in one flash sale, over all their orders and connections.</summary>
    public int MaxUnitsPerBuyerPerSale { get; set; } = 2;

    /// <summary>Units one buyer may hold of one product of the show (since the product's last stock reset).</summary>
    public int MaxUnitsPerBuyerPerSku { get; set; } = 10;
    /// <summary>Guests get `login_required` for flash-sale purchases (the pinned product stays open to them).</summary>
    public bool FlashSaleRequiresLogin { get; set; }

    /// <summary>Guests get `login_required` for coupon claims (they always do when <see cref="AllowGuestCheckout"/> is false:
    /// a coupon is only worth a purchase).</summary>
    public bool CouponsRequireLogin { get; set; }
}
