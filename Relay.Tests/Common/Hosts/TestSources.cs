using Relay.Ingest.Egress.Source;

namespace Relay.Tests.Common.Hosts;

/// <summary>Resolver the tests control: which channel is live with which source.</summary>
public sealed class TestSources : IEgressSourceResolver
{
    private readonly Dictionary<string, IEgressSource> _live = new();

    public void SetLive(string channelId, IEgressSource? source)
    {
        lock (_live)
        {
            if (source is null) _live.Remove(channelId);
            else _live[channelId] = source;
        }
    }

    public IEgressSource? Find(string channelId)
    {
        lock (_live) return _live.GetValueOrDefault(channelId);
    }
}
