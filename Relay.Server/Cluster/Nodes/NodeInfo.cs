namespace Relay.Server.Cluster.Nodes;

/// <summary>
/// One node as the registry holds it and <c>GET /api/v1/nodes</c> answers it: who it is, how the others reach it,
/// whether its engines answered its last heartbeat, and its load (channels whose publisher is connected to it, hub
/// connections it serves).
/// </summary>
public sealed record NodeInfo(
    string Id,
    string? InternalUrl,
    string Version,
    DateTimeOffset StartedAt,
    DateTimeOffset LastSeen,
    bool Ready,
    int LiveChannels,
    int Connections);
