namespace Relay.Ingest.Publishing;

/// <summary>
/// Who may take a channel's publish. On one process every channel is this node's (<see cref="SingleNodeOwnership"/>);
/// in a cluster the server implements it with a lease in Redis, so a channel is live on one node only and its
/// destinations are pushed by that node alone. Asked by the gate after the key is accepted and before the publish is:
/// a channel held by another node is refused as <see cref="PublishRejectReason.AlreadyLive"/>, and an ownership that
/// cannot be decided (Redis unreachable) as <see cref="PublishRejectReason.OwnershipUnavailable"/>, never let through.
/// </summary>
public interface IChannelOwnership
{
    /// <summary>Takes <paramref name="channelId"/> for this node; the claim holds the lease or says why not.</summary>
    ValueTask<ChannelClaim> ClaimAsync(string channelId, CancellationToken cancellationToken);
}
