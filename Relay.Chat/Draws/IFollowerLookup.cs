namespace Relay.Chat.Draws;

/// <summary>
/// The seam a draw's <c>follow</c> requirement needs: whether a viewer follows the channel. The follow store (issue 16,
/// Follow/Unfollow) implements it and registers it; until one is registered, <c>StartDraw</c> refuses
/// <c>requires: "follow"</c> (<c>invalid: requires follow is not available yet</c>).
/// </summary>
public interface IFollowerLookup
{
    /// <param name="buyerId">The viewer's user id (the JWT subject), as the follow store keys it.</param>
    Task<bool> FollowsAsync(string channelId, string buyerId, CancellationToken cancellationToken);
}
