using MessagePack;

namespace Relay.Chat.Contracts;

// Wire shapes of the hub. Keys are spelled out so MessagePack carries the same camelCase names
// as the JSON protocol (whose naming policy is camelCase); clients of either protocol read one shape.
// Mutable classes rather than records because MessagePack's dynamic resolver fills them reliably.

[MessagePackObject]
public sealed class JoinOptions
{
    [Key("displayName")] public string? DisplayName { get; set; }
    [Key("referrer")] public string? Referrer { get; set; }
}

[MessagePackObject]
public sealed class JoinSnapshot
{
    [Key("channelId")] public string ChannelId { get; set; } = "";
    [Key("title")] public string Title { get; set; } = "";
    [Key("live")] public bool Live { get; set; }
    [Key("viewers")] public int Viewers { get; set; }
    [Key("pinned")] public ProductView? Pinned { get; set; }
    [Key("lineup")] public List<ProductView> Lineup { get; set; } = [];
    [Key("flashSale")] public FlashSaleView? FlashSale { get; set; }
    [Key("recentMessages")] public List<ChatMessageView> RecentMessages { get; set; } = [];
    [Key("slowModeSeconds")] public int SlowModeSeconds { get; set; }
    /// <summary>Who the server takes the caller for: lets a guest learn its id and a host unlock its controls.</summary>
    [Key("you")] public ParticipantView You { get; set; } = new();
}

[MessagePackObject]
public sealed class ParticipantView
{
    /// <summary>The caller's display id in this room (see Identity.DisplayIds): what its messages carry and what `Mute` takes.</summary>
    [Key("userId")] public string UserId { get; set; } = "";
    [Key("displayName")] public string DisplayName { get; set; } = "";
    /// <summary>`guest`, `viewer`, `host` or `admin`.</summary>
    [Key("role")] public string Role { get; set; } = "";
}

[MessagePackObject]
public sealed class ProductView
{
    [Key("sku")] public string Sku { get; set; } = "";
    [Key("title")] public string Title { get; set; } = "";
    [Key("priceCents")] public long PriceCents { get; set; }
    [Key("currency")] public string Currency { get; set; } = "";
    [Key("imageUrl")] public string? ImageUrl { get; set; }
    /// <summary>Units left; null = unlimited.</summary>
    [Key("stock")] public int? Stock { get; set; }
}

[MessagePackObject]
public sealed class FlashSaleView
{
    [Key("sku")] public string Sku { get; set; } = "";
    [Key("priceCents")] public long PriceCents { get; set; }
    [Key("currency")] public string Currency { get; set; } = "";
    [Key("quantity")] public int Quantity { get; set; }
    [Key("remaining")] public int Remaining { get; set; }
    /// <summary>UTC.</summary>
    [Key("endsAt")] public DateTime EndsAt { get; set; }
    /// <summary>false in the event sent when the sale ends (by the host, by time, or sold out and ended).</summary>
    [Key("active")] public bool Active { get; set; }
}

[MessagePackObject]
public sealed class ChatMessageView
{
    [Key("id")] public string Id { get; set; } = "";
    /// <summary>The sender's display id in this room (`p_` + 16 hex; `host_{channel}` or `admin` for moderators), never a shop id.</summary>
    [Key("userId")] public string UserId { get; set; } = "";
    [Key("displayName")] public string DisplayName { get; set; } = "";
    [Key("text")] public string Text { get; set; } = "";
    /// <summary>Server time, UTC.</summary>
    [Key("at")] public DateTime At { get; set; }
    /// <summary>`guest`, `viewer`, `host` or `admin`: display names are free text, so a UI badges hosts by this.</summary>
    [Key("role")] public string Role { get; set; } = "";
}

[MessagePackObject]
public sealed class MessageDeletedEvent
{
    [Key("id")] public string Id { get; set; } = "";
}

[MessagePackObject]
public sealed class StockEvent
{
    [Key("sku")] public string Sku { get; set; } = "";
    [Key("remaining")] public int Remaining { get; set; }
}

[MessagePackObject]
public sealed class PurchaseToast
{
    /// <summary>The buyer's first name and last initial ("Alice S."), see Identity.ToastName.</summary>
    [Key("displayName")] public string DisplayName { get; set; } = "";
    [Key("sku")] public string Sku { get; set; } = "";
    [Key("quantity")] public int Quantity { get; set; }
}

[MessagePackObject]
public sealed class OrderEvent
{
    [Key("orderId")] public string OrderId { get; set; } = "";
    /// <summary>`confirmed` or `failed`.</summary>
    [Key("status")] public string Status { get; set; } = "";
    /// <summary>Where the buyer pays, when the order API's 2xx answer named one (v2).</summary>
    [Key("checkoutUrl")] public string? CheckoutUrl { get; set; }
}

[MessagePackObject]
public sealed class ViewersEvent
{
    [Key("count")] public int Count { get; set; }
}

[MessagePackObject]
public sealed class StatusEvent
{
    [Key("live")] public bool Live { get; set; }
}

[MessagePackObject]
public sealed class PurchaseRequest
{
    [Key("sku")] public string? Sku { get; set; }
    [Key("quantity")] public int Quantity { get; set; }
    [Key("idempotencyKey")] public string? IdempotencyKey { get; set; }
}

[MessagePackObject]
public sealed class PurchaseResult
{
    /// <summary>`reserved`, `sold_out`, `not_on_sale`, `limit_exceeded`, `login_required`, `invalid`.</summary>
    [Key("status")] public string Status { get; set; } = "";
    [Key("orderId")] public string? OrderId { get; set; }
    [Key("reason")] public string? Reason { get; set; }
}

[MessagePackObject]
public sealed class FlashSaleRequest
{
    [Key("sku")] public string? Sku { get; set; }
    [Key("priceCents")] public long PriceCents { get; set; }
    [Key("quantity")] public int Quantity { get; set; }
    [Key("durationSeconds")] public int DurationSeconds { get; set; }
}

public static class PurchaseStatus
{
    public const string Reserved = "reserved";
    public const string SoldOut = "sold_out";
    public const string NotOnSale = "not_on_sale";
    public const string LimitExceeded = "limit_exceeded";
    public const string LoginRequired = "login_required";
    public const string Invalid = "invalid";
}
