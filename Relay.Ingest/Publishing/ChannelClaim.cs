namespace Relay.Ingest.Publishing;

/// <summary>The answer of <see cref="IChannelOwnership.ClaimAsync"/>: the lease, or the refusal reason.</summary>
public readonly record struct ChannelClaim(IChannelLease? Lease, string? Refusal)
{
    public static ChannelClaim Owned(IChannelLease lease) => new(lease, null);

    /// <summary>Another publisher (on this node or another) has the channel.</summary>
    public static ChannelClaim HeldElsewhere { get; } = new(null, PublishRejectReason.AlreadyLive);

    /// <summary>Ownership could not be decided (the shared store is unreachable): refused, never accepted blindly.</summary>
    public static ChannelClaim Unavailable { get; } = new(null, PublishRejectReason.OwnershipUnavailable);
}
