using Prometheus;

namespace Relay.Server.Cluster.Nodes;

/// <summary>
/// The <c>node</c> label: on a node of a cluster every series of the default registry carries
/// <c>node="&lt;Relay:Node:Id&gt;"</c> (a static label, so no metric definition changes). It must be set before the first
/// metric is created, which holds in a Relay process (the services are registered before anything is measured); a host
/// that measured earlier (a test process hosting several servers) keeps its series unlabelled and is told so.
/// </summary>
public static class NodeMetricLabels
{
    public const string Name = "node";

    /// <summary>The node id the label carries in this process; null while none was applied.</summary>
    public static string? AppliedTo { get; private set; }

    /// <summary>False when metrics existed already (or another label set was applied before).</summary>
    public static bool TryApply(string nodeId)
    {
        if (AppliedTo == nodeId)
        {
            return true;
        }

        try
        {
            Metrics.DefaultRegistry.SetStaticLabels(new Dictionary<string, string> { [Name] = nodeId });
            AppliedTo = nodeId;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
