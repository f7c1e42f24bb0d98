using Relay.Ingest.Egress.Source;
using Relay.Ingest.Media;

namespace Relay.Ingest.Egress;

/// <summary>One push attempt: connect, publish, forward the feed until it ends, fails or is canceled.</summary>
public interface IEgressPusher
{
    /// <summary>Never throws for network or peer failures: they come back as an <see cref="EgressOutcome"/>.</summary>
    /// <param name="counters">
    /// Where the attempt reports that it went live and counts what it sent; the supervisor samples it on its own timer.
    /// </param>
    Task<EgressOutcome> RunAsync(IEgressFeed feed, PushCounters counters, CancellationToken cancellationToken);
}
