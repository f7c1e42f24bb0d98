namespace Relay.Server.Shows;

/// <summary>The marker kinds of a show's time line, as the report spells them.</summary>
public static class ShowMarkerKinds
{
    public const string Pinned = "pinned";
    public const string Unpinned = "unpinned";
    public const string FlashSale = "flashSale";
    public const string FlashSaleEnded = "flashSaleEnded";
}
