namespace Relay.Ingest.Publishing;

/// <summary>The embedded default: one process owns every channel; the local registry alone decides "already live".</summary>
public sealed class SingleNodeOwnership : IChannelOwnership
{
    public ValueTask<ChannelClaim> ClaimAsync(string channelId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ChannelClaim.Owned(new Lease(channelId)));

    private sealed class Lease(string channelId) : IChannelLease
    {
        public string ChannelId => channelId;

        public CancellationToken Lost => CancellationToken.None;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
