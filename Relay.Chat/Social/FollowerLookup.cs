using Relay.Chat.Draws;

namespace Relay.Chat.Social;

/// <summary>A draw's <c>follow</c> requirement answered by the follow store: the viewer follows the channel now.</summary>
internal sealed class FollowerLookup(IFollowers followers) : IFollowerLookup
{
    public Task<bool> FollowsAsync(string channelId, string buyerId, CancellationToken cancellationToken) =>
        followers.IsFollowingAsync(channelId, buyerId, cancellationToken);
}
