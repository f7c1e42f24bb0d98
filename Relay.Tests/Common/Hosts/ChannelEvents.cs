using System.Collections.Concurrent;
using Relay.Ingest.Streams;

namespace Relay.Tests.Common.Hosts;

/// <summary>Records live/offline notifications in order.</summary>
internal sealed class ChannelEvents : ILiveChannelObserver
{
    private readonly ConcurrentQueue<string> _events = new();

    public IReadOnlyList<string> All => [.. _events];

    public void ChannelLive(string channelId) => _events.Enqueue($"live:{channelId}");

    public void ChannelOffline(string channelId) => _events.Enqueue($"offline:{channelId}");
}
