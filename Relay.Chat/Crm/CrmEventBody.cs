namespace Relay.Chat.Crm;

/// <summary>The JSON posted to Crm:Endpoint: <c>{event, channelId, buyerId, buyerName, referrer, at, nextShowAt?}</c>
/// (nextShowAt only on a reminder). Serialized once when the event is queued; every retry sends the same bytes.</summary>
public sealed record CrmEventBody(string Event, string ChannelId, string BuyerId, string BuyerName, string? Referrer, DateTimeOffset At,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? NextShowAt);
