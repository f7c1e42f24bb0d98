namespace Relay.Ingest.Streams;

/// <summary>
/// An <see cref="ILiveChannelObserver"/> that also wants to hear of mirrored channels (another node's live channel,
/// pulled here for this node's viewers), e.g. the HLS packager. Plain observers hear of published channels only:
/// egress and recording run on the channel's owner.
/// </summary>
public interface IMirroredChannelObserver : ILiveChannelObserver;
