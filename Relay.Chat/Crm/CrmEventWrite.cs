using System.Globalization;
using System.Text.Json;

namespace Relay.Chat.Crm;

/// <summary>A CRM event to queue in the same transaction as the follow or reminder that caused it.</summary>
public sealed record CrmEventWrite(string EventId, string Event, string ChannelId, string Body)
{
    public static string FollowId(string channelId, string buyerId) => $"follow:{channelId}:{buyerId}";

    public static string RemindId(string channelId, string buyerId, DateTimeOffset nextShowAt) =>
        $"remind:{channelId}:{buyerId}:{nextShowAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";

    public static CrmEventWrite Of(string eventId, CrmEventBody body) =>
        new(eventId, body.Event, body.ChannelId, JsonSerializer.Serialize(body, CrmJsonContext.Default.CrmEventBody));
}
