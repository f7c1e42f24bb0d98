namespace Relay.Chat.Crm;

/// <summary>A CRM event in <c>GET /api/v1/crm/dead-letters</c>: its id (Idempotency-Key), kind, channel, attempts, last
/// error and the body it carries (as JSON).</summary>
public sealed record CrmDeadLetterView(string EventId, string Event, string ChannelId, string Status, int Attempts, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, System.Text.Json.JsonElement Body)
{
    public static CrmDeadLetterView Of(CrmEventRecord e)
    {
        using var body = System.Text.Json.JsonDocument.Parse(e.Body);
        return new(e.EventId, e.Event, e.ChannelId, e.Status, e.Attempts, e.LastError, e.CreatedAt, e.UpdatedAt, body.RootElement.Clone());
    }
}
