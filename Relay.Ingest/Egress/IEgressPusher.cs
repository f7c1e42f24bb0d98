using Relay.Ingest.Egress.Source;
using Relay.Ingest.Media;

namespace Relay.Ingest.Egress;

/// <summary>One push attempt: connect, publish, forward the feed until it ends, fails or is canceled.</summary>
public interface IEgressPusher
{
    /// <summary>Never throws for network or peer failures: they come back as an <see cref="EgressOutcome"/>.</summary>
    Task<EgressOutcome> RunAsync(IEgressFeed feed, IEgressPushObserver observer, CancellationToken cancellationToken);
}

/// <summary>What a pusher reports while it runs (the supervisor turns it into state, stats and metrics).</summary>
public interface IEgressPushObserver
{
    /// <summary>The destination accepted the publish (NetStream.Publish.Start, or the ffmpeg process is running).</summary>
    void OnLive();

    /// <summary>A frame was handed to the transport; <paramref name="wireBytes"/> is what it cost on the wire.</summary>
    void OnSent(FlvTag frame, int wireBytes);
}
