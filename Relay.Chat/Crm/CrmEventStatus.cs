namespace Relay.Chat.Crm;

/// <summary>Where a CRM event is in its outbox (<c>crm_events.status</c>) and the status label of
/// <c>relay_crm_events_total</c> (which also counts <see cref="Retry"/> and <see cref="Misconfigured"/> answers).</summary>
public static class CrmEventStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
    public const string DeadLetter = "dead_letter";
    public const string Retry = "retry";
    public const string Misconfigured = "misconfigured";
    public const string Queued = "queued";
}
