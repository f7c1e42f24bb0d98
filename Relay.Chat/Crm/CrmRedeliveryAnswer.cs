namespace Relay.Chat.Crm;

/// <summary>The answer of <c>POST /api/v1/crm/dead-letters/{eventId}/redeliver</c>.</summary>
public sealed record CrmRedeliveryAnswer(string EventId, string Status);
