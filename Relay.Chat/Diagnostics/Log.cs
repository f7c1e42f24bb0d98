using Microsoft.Extensions.Logging;

namespace Relay.Chat.Diagnostics;

// Event ids 5000-5099 belong to the live room; 5900-5949 to its PostgreSQL stores (a node of a cluster). No token, key or message text is ever a parameter here.
internal static partial class Log
{
    [LoggerMessage(5000, LogLevel.Error, "Hub call {Method} failed")]
    public static partial void HubCallFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(5001, LogLevel.Information, "Order {OrderId} confirmed by the order API after {Attempts} attempt(s)")]
    public static partial void OrderConfirmed(ILogger logger, string orderId, int attempts);

    [LoggerMessage(5002, LogLevel.Warning, "Order {OrderId} refused by the order API with {StatusCode}; stock released")]
    public static partial void OrderFailed(ILogger logger, string orderId, int statusCode);

    [LoggerMessage(5003, LogLevel.Warning, "Order {OrderId} attempt {Attempt} failed ({Error}); next try in {DelayMs} ms")]
    public static partial void OrderRetry(ILogger logger, string orderId, int attempt, string error, long delayMs);

    [LoggerMessage(5004, LogLevel.Error, "Order {OrderId} dead-lettered after {Attempts} attempts ({Error})")]
    public static partial void OrderDeadLettered(ILogger logger, string orderId, int attempts, string error);

    [LoggerMessage(5005, LogLevel.Error, "Order dispatcher loop failed; restarting in {DelayMs} ms")]
    public static partial void DispatcherLoopFailed(ILogger logger, long delayMs, Exception exception);

    [LoggerMessage(5006, LogLevel.Information, "Order dispatcher delivering to {Endpoint}")]
    public static partial void DispatcherEndpoint(ILogger logger, string endpoint);

    [LoggerMessage(5007, LogLevel.Warning, "Flash sale auto-end failed for channel {ChannelId}")]
    public static partial void FlashSaleAutoEndFailed(ILogger logger, string channelId, Exception exception);

    [LoggerMessage(5008, LogLevel.Warning, "Broadcast of {Event} to channel {ChannelId} failed")]
    public static partial void BroadcastFailed(ILogger logger, string @event, string channelId, Exception exception);

    [LoggerMessage(5009, LogLevel.Information, "Live room storage ready (schema version {Version})")]
    public static partial void StorageReady(ILogger logger, int version);

    [LoggerMessage(5011, LogLevel.Error, "Delivering order {OrderId} failed inside the relay; it will be tried again")]
    public static partial void DeliveryFailed(ILogger logger, string orderId, Exception exception);

    [LoggerMessage(5020, LogLevel.Warning, "The order API at {Endpoint} answered {StatusCode} to order {OrderId}: the endpoint or its key is misconfigured (check Relay:Orders:Endpoint and Relay:Orders:ApiKey); the order stays reserved and is retried")]
    public static partial void OrderApiMisconfigured(ILogger logger, string endpoint, int statusCode, string orderId);

    [LoggerMessage(5010, LogLevel.Warning, "Viewer token rejected: {Reason}")]
    public static partial void ViewerTokenRejected(ILogger logger, string reason);

    [LoggerMessage(5012, LogLevel.Information, "Guest token rejected: {Reason}")]
    public static partial void GuestTokenRejected(ILogger logger, string reason);

    // 5960-5979: likes and draws (issue 16).

    [LoggerMessage(5960, LogLevel.Warning, "Adding likes of channel {ChannelId} failed; they are tried again at the next interval")]
    public static partial void LikesFailed(ILogger logger, string channelId, Exception exception);

    [LoggerMessage(5961, LogLevel.Error, "Ending draw {DrawId} of channel {ChannelId} failed; it is tried again")]
    public static partial void DrawEndFailed(ILogger logger, string drawId, string channelId, Exception exception);

    [LoggerMessage(5962, LogLevel.Information, "Draw {DrawId} of channel {ChannelId} ended: {Winners} winners of {Entrants} entrants")]
    public static partial void DrawEnded(ILogger logger, string drawId, string channelId, int winners, int entrants);

    [LoggerMessage(5963, LogLevel.Error, "The draw clock failed; restarting in {DelayMs} ms")]
    public static partial void DrawClockFailed(ILogger logger, long delayMs, Exception exception);

    [LoggerMessage(5013, LogLevel.Warning, "A share-code visit in channel {ChannelId} was not counted: {Reason}")]
    public static partial void ReferralVisitNotCounted(ILogger logger, string channelId, string reason);

    [LoggerMessage(5014, LogLevel.Warning, "No share code for a viewer this time: {Reason}")]
    public static partial void ShareCodeUnavailable(ILogger logger, string reason);

    // 5950-5999: the room bus (issue 14, one room across nodes).

    [LoggerMessage(5950, LogLevel.Warning, "Publishing a {Kind} event of channel {ChannelId} on the room bus failed")]
    public static partial void RoomEventPublishFailed(ILogger logger, string kind, string channelId, Exception exception);

    [LoggerMessage(5900, LogLevel.Information, "Live room storage ready on PostgreSQL {Host} (schema version {Version})")]
    public static partial void PostgresStorageReady(ILogger logger, string host, int version);

    [LoggerMessage(5901, LogLevel.Warning, "Live room storage on PostgreSQL {Host} not ready at start; purchases are refused until it is, and the migration is tried again at first use")]
    public static partial void PostgresStorageNotReady(ILogger logger, string host, Exception exception);

    [LoggerMessage(5030, LogLevel.Information, "CRM event {EventId} delivered (attempt {Attempt})")]
    public static partial void CrmDelivered(ILogger logger, string eventId, int attempt);

    [LoggerMessage(5031, LogLevel.Warning, "CRM event {EventId} failed for good: HTTP {Status}")]
    public static partial void CrmFailed(ILogger logger, string eventId, int status);

    [LoggerMessage(5032, LogLevel.Information, "CRM event {EventId} attempt {Attempt} failed ({Error}); retry in {DelayMs} ms")]
    public static partial void CrmRetry(ILogger logger, string eventId, int attempt, string error, long delayMs);

    [LoggerMessage(5033, LogLevel.Error, "CRM event {EventId} dead-lettered after {Attempts} attempts ({Error})")]
    public static partial void CrmDeadLettered(ILogger logger, string eventId, int attempts, string error);

    [LoggerMessage(5034, LogLevel.Error, "The CRM endpoint {Endpoint} answered {Status} for event {EventId}: it is misconfigured (the event is retried, never failed)")]
    public static partial void CrmMisconfigured(ILogger logger, string endpoint, int status, string eventId);

    [LoggerMessage(5035, LogLevel.Error, "CRM dispatcher loop failed; restarting in {DelayMs} ms")]
    public static partial void CrmDispatcherLoopFailed(ILogger logger, long delayMs, Exception exception);

    [LoggerMessage(5036, LogLevel.Warning, "Delivering CRM event {EventId} failed; it is tried again when its lease ends")]
    public static partial void CrmDeliveryFailed(ILogger logger, string eventId, Exception exception);

    [LoggerMessage(5037, LogLevel.Information, "CRM events go to {Endpoint} (signed: {Signed})")]
    public static partial void CrmEndpoint(ILogger logger, string endpoint, bool signed);
}
