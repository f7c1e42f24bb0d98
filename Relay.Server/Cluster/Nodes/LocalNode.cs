using System.Reflection;
using Relay.Chat.Diagnostics;
using Relay.Ingest.Streams;
using Relay.Server.Channels;

namespace Relay.Server.Cluster.Nodes;

/// <summary>This process's own entry: identity from <see cref="ClusterNode"/>, load read from the planes at the moment.</summary>
public sealed class LocalNode(ClusterNode node, ChannelService channels, LiveChannelRegistry live, TimeProvider time)
{
    public static readonly string Version = typeof(LocalNode).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(LocalNode).Assembly.GetName().Version?.ToString() ?? "unknown";

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    /// <summary>Channels whose publisher is connected to this node (on a cluster: the channels it owns).</summary>
    public int LiveChannels => channels.All.Count(c => live.IsLive(c.Id));

    public NodeInfo Snapshot(bool ready) => new(
        node.Id, node.InternalUrl, Version, StartedAt, time.GetUtcNow(), ready, LiveChannels, (int)LiveHubConnections.Current);
}
