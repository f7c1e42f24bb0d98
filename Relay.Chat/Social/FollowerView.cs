namespace Relay.Chat.Social;

/// <summary>An item of <c>GET /api/v1/channels/{id}/followers</c>.</summary>
public sealed record FollowerView(string BuyerId, string BuyerName, DateTimeOffset FollowedAt, string? Referrer)
{
    public static FollowerView Of(FollowerRecord f) => new(f.BuyerId, f.BuyerName, f.FollowedAt, f.Referrer);
}
