using Relay.Ingest.Streams;

namespace Relay.Ingest.Egress.Source;

/// <summary>Resolves a channel to the hub of its live session in the ingest's <see cref="LiveChannelRegistry"/>.</summary>
public sealed class LiveChannelEgressSources(LiveChannelRegistry registry) : IEgressSourceResolver
{
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<StreamHub, StreamHubEgressSource> _sources = new();

    // The same hub must map to the same source instance: the manager restarts pushes when the source changes.
    // Only a published channel is a source: a mirror of another node's channel never pushes (its owner does).
    public IEgressSource? Find(string channelId) =>
        registry.TryGetPublishedHub(channelId, out var hub) && !hub.IsCompleted ? _sources.GetValue(hub, h => new StreamHubEgressSource(h)) : null;
}
