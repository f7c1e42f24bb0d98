namespace Relay.Chat.Crm;

/// <summary>The `event` of a CRM webhook body and the label of <c>relay_crm_events_total</c>.</summary>
public static class CrmEventKinds
{
    public const string Follow = "follow";
    public const string Remind = "remind";
}
