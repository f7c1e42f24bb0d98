namespace Relay.Tests.Common.Hosts;

/// <summary>
/// The cluster tests (a <see cref="ClusterTestBed"/> each: PostgreSQL, Redis and two or three Relay processes) run one
/// after another: two beds at once on a 2-core machine starve each other and the rest of the suite (a browser test
/// waiting 5 s for an order's confirmation, a node waiting for its heartbeat), so a timing assertion would measure the
/// contention instead of Relay. The bed's own ffmpeg publishers run inside it, one test at a time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}
