using Relay.Chat.Crm;

namespace Relay.Chat.Social;

/// <summary>A follow to store; <paramref name="Crm"/> is queued in the same transaction if, and only if, this is the
/// viewer's first follow of the channel ever (null when Crm:Endpoint is unset).</summary>
public sealed record FollowWrite(string ChannelId, string BuyerId, string BuyerName, string? Referrer, DateTimeOffset At, CrmEventWrite? Crm);
