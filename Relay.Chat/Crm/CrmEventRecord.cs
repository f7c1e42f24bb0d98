namespace Relay.Chat.Crm;

/// <summary>A row of the CRM outbox. <paramref name="EventId"/> is the Idempotency-Key and webhook-id:
/// <c>follow:{channelId}:{buyerId}</c> or <c>remind:{channelId}:{buyerId}:{nextShowAt unix seconds}</c>.</summary>
public sealed record CrmEventRecord(string EventId, string Event, string ChannelId, string Body, string Status, int Attempts, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
