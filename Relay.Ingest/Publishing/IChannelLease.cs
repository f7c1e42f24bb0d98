namespace Relay.Ingest.Publishing;

/// <summary>
/// This node's hold on a live channel, kept by its owner (renewed in the background) for as long as the publisher is
/// live. Disposing it releases the channel. <see cref="Lost"/> fires when the hold ended without a release (renewals
/// failed for the lease's length, or another node holds it): the publish must then stop, so two nodes never push.
/// </summary>
public interface IChannelLease : IAsyncDisposable
{
    string ChannelId { get; }

    /// <summary>Cancelled when the lease is lost while live.</summary>
    CancellationToken Lost { get; }
}
