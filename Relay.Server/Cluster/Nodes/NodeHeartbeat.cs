using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Relay.Server.Diagnostics;

namespace Relay.Server.Cluster.Nodes;

/// <summary>
/// A node's heartbeat, every third of its lease: probe PostgreSQL and Redis (<c>relay_dependency_up</c>), renew the
/// node's registry entry (with <c>ready</c> = both answered), then count the nodes alive (<c>relay_cluster_nodes</c>).
/// Nothing it meets stops it: an engine that is down is logged once by <see cref="DependencyProbe"/>, a failed beat is
/// logged and retried at the next one, and when the engines come back the node is ready again without a restart. On
/// shutdown the entry is removed, so a node that is stopped (not killed) leaves the list at once.
/// </summary>
public sealed class NodeHeartbeat(
    ClusterNode node,
    LocalNode local,
    RedisNodeRegistry registry,
    DependencyProbe probe,
    IServer server,
    TimeProvider time,
    ILogger<NodeHeartbeat> logger) : BackgroundService
{
    private string _lastSeen = "";
    private bool _failing;

    /// <summary>A third of the lease (at least 1 s): two beats may be lost before the entry expires.</summary>
    public TimeSpan Interval => TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, node.Lease.Ticks / 3));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The server started before the hosted services: its bound addresses are known now.
        node.ResolveInternalUrl(server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []);
        if (NodeMetricLabels.AppliedTo != node.Id)
        {
            ClusterNodesLog.NodeLabelNotApplied(logger, node.Id);
        }

        ClusterNodesLog.NodeJoined(logger, node.Id, node.InternalUrl, node.Lease.TotalSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await BeatAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // Log and go on: the heartbeat is what brings the node back into the list when Redis returns.
                if (!_failing)
                {
                    ClusterNodesLog.HeartbeatFailed(logger, e.GetType().Name, Interval.TotalSeconds);
                }

                _failing = true;
            }

            try
            {
                await Task.Delay(Interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>One beat; public for tests.</summary>
    public async Task BeatAsync(CancellationToken ct)
    {
        var postgres = await probe.PostgresAsync(ct);
        var redis = await probe.RedisAsync(ct);
        if (redis is not null)
        {
            // The probe logged it; the entry cannot be written and will expire, which is the truth: not reachable.
            return;
        }

        await registry.WriteAsync(local.Snapshot(ready: postgres is null));
        var alive = await registry.ListAsync(ct);
        ClusterMetrics.Nodes.Set(alive.Count);
        _failing = false;
        var seen = string.Join(", ", alive.Select(n => n.Id));
        if (seen != _lastSeen)
        {
            _lastSeen = seen;
            ClusterNodesLog.NodesChanged(logger, alive.Count, seen);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await registry.RemoveAsync(node.Id);
            ClusterNodesLog.NodeLeft(logger, node.Id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Redis gone at shutdown: the entry expires by itself within the lease.
        }
    }
}
