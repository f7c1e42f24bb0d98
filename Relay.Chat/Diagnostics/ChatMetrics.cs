using Prometheus;

namespace Relay.Chat.Diagnostics;

/// <summary>Relay's own live-room metrics, native prometheus-net so counters keep their `_total`.</summary>
internal static class ChatMetrics
{
    public static readonly Gauge RoomViewers = Metrics.CreateGauge(
        "relay_room_viewers", "Connections joined to the channel's room (updated with the debounced viewer count).", "channel");

    public static readonly Gauge HubConnections = Metrics.CreateGauge(
        "relay_hub_connections", "Open connections to /hubs/live.");

    public static readonly Counter ChatMessages = Metrics.CreateCounter(
        "relay_chat_messages_total", "Chat messages broadcast to the room.", "channel");

    public static readonly Counter ChatRejected = Metrics.CreateCounter(
        "relay_chat_rejected_total", "Hub calls refused, by reason token.", "reason");

    public static readonly Counter Likes = Metrics.CreateCounter(
        "relay_likes_total", "Like taps accepted by this node (Like calls' counts).", "channel");

    public static readonly Counter DrawEntries = Metrics.CreateCounter(
        "relay_draw_entries_total", "Draw entries accepted (a repeat entry of the same viewer is not counted).", "channel");

    public static readonly Counter Purchases = Metrics.CreateCounter(
        "relay_purchases_total", "Purchase calls by outcome.", "channel", "status");

    public static readonly Counter CouponClaims = Metrics.CreateCounter(
        "relay_coupon_claims_total", "ClaimCoupon calls by outcome (claimed, gone, expired, limit_exceeded, login_required, invalid).", "channel", "status");

    public static readonly Counter Orders = Metrics.CreateCounter(
        "relay_orders_total", "Orders reaching a final state at the order API, by status (confirmed, failed, dead_letter).", "status");

    public static readonly Histogram OrderApiDuration = Metrics.CreateHistogram(
        "relay_order_api_request_duration_seconds",
        "Duration of one POST to the order API, by outcome (confirmed = 2xx, rejected = 400/422, retry = 408/409/425/429/5xx/other/timeout/connection error, misconfigured = 3xx/401/403/404/405, canceled = shutdown).",
        new HistogramConfiguration { LabelNames = ["outcome"], Buckets = Histogram.ExponentialBuckets(0.005, 2, 12) });

    public static readonly Gauge OutboxPending = Metrics.CreateGauge(
        "relay_order_outbox_pending", "Orders reserved but not yet confirmed, failed or dead-lettered.");

    public static readonly Counter DeadLetters = Metrics.CreateCounter(
        "relay_order_dead_letters_total", "Orders given up after Orders:MaxAttempts.");

    public static readonly Counter OrderApiMisconfigured = Metrics.CreateCounter(
        "relay_order_api_misconfigured_total",
        "Answers of the order API that mean its endpoint or key is wrong (3xx, 401, 403, 404, 405); the order is retried, never failed.");

    public static readonly Counter SalesAmount = Metrics.CreateCounter(
        "relay_sales_amount_cents_total", "Confirmed sales, in cents of the currency.", "channel", "currency");

    public static readonly Counter Follows = Metrics.CreateCounter(
        "relay_follows_total", "Follows of a channel by a signed-in viewer (a Follow that changed not-following to following).", "channel");

    public static readonly Counter CrmEvents = Metrics.CreateCounter(
        "relay_crm_events_total",
        "CRM webhook events by kind (follow, remind) and status: queued, delivered, failed (400/422), dead_letter, and the answers that are retried (retry, misconfigured).",
        "event", "status");
}
