using Relay.Chat.Webhooks;

namespace Relay.Chat.Crm;

/// <summary>Wakes the CRM dispatcher when a CRM event was queued.</summary>
internal sealed class CrmDispatchSignal : DispatchSignal;
