namespace Relay.Chat.Ledger;

/// <summary>
/// A channel's like total, kept where every node (and the next start of the process) finds it: the embedded default adds
/// to <c>chat_likes</c> in the SQLite file; a cluster INCRBYs a Redis key and also decides which node may announce the new
/// total, so a room hears at most one `likes` event per pacing interval whatever the number of nodes.
/// </summary>
public interface ILikeCounter
{
    /// <summary>Adds <paramref name="taps"/> (0: only asks whether an earlier, deferred total may be announced now).</summary>
    Task<LikeTally> AddAsync(string channelId, long taps, CancellationToken cancellationToken);

    /// <summary>The channel's total now (0 when it never had a like).</summary>
    Task<long> TotalAsync(string channelId, CancellationToken cancellationToken);
}
