using Relay.Chat.Crm;
using Relay.Chat.Orders;

namespace Relay.Chat.Social;

/// <summary>The durable followers and reminders of channels (SQLite or PostgreSQL, see Storage/SocialStore).</summary>
public interface IFollowers
{
    /// <summary>Follows (again); the CRM event is queued in the same transaction on a first follow.</summary>
    Task<FollowOutcome> FollowAsync(FollowWrite follow, CancellationToken cancellationToken);

    /// <summary>True when the viewer was following.</summary>
    Task<bool> UnfollowAsync(string channelId, string buyerId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Records a reminder for one announced show; true the first time for that (viewer, channel, nextShowAt), when
    /// <paramref name="crm"/> is queued in the same transaction.</summary>
    Task<bool> RemindAsync(string channelId, string buyerId, DateTimeOffset nextShowAt, DateTimeOffset at, CrmEventWrite? crm, CancellationToken cancellationToken);

    Task<bool> IsFollowingAsync(string channelId, string buyerId, CancellationToken cancellationToken);

    /// <summary>Current followers ordered by (followedAt, buyerId), after <paramref name="after"/>.</summary>
    Task<IReadOnlyList<FollowerRecord>> ListAsync(string channelId, ListCursor? after, int max, CancellationToken cancellationToken);

    Task<int> CountAsync(string channelId, CancellationToken cancellationToken);

    /// <summary>First follows of the channel from <paramref name="from"/> up to <paramref name="to"/> (a show's report).</summary>
    Task<int> CountFirstFollowsAsync(string channelId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}
