using Microsoft.Extensions.Logging;
using Relay.Ingest.Amf0;
using Relay.Ingest.Egress.Source;
using System.Net.Sockets;
using Relay.Ingest.Media;
using Relay.Ingest.Rtmp;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Egress.Rtmp;

/// <summary>
/// Native RTMP/RTMPS publisher for pass-through destinations: forwards the feed's FLV tag bodies as RTMP messages
/// without touching the media, so one destination costs a socket and a queue instead of an ffmpeg process. One call
/// of <see cref="RunAsync"/> is one attempt: connect, TLS and handshake (<see cref="RtmpPushConnector"/>), the publish
/// command sequence (<see cref="RtmpClientProtocol"/>), then the media until the feed ends or the push fails
/// (<see cref="RtmpPushSession"/>).
/// </summary>
public sealed class RtmpPusher(RtmpPushTarget target, RtmpPushSettings settings, TimeProvider time, ILogger logger) : IEgressPusher
{
    public async Task<EgressOutcome> RunAsync(IEgressFeed feed, PushCounters counters, CancellationToken cancellationToken)
    {
        using var setupCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        setupCts.CancelAfter(settings.SetupTimeout);
        Stream? stream = null;
        RtmpPushSession? session = null;
        try
        {
            var (opened, plainSocket, failure) = await RtmpPushConnector.OpenAsync(target, settings, setupCts.Token, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                return failure;
            }

            stream = opened!;
            var protocol = new RtmpClientProtocol(target.App, target.TcUrl, target.PublishName, settings.ChunkSize, settings.WindowAcknowledgementSize);
            session = new RtmpPushSession(stream, plainSocket, protocol, settings, time, target.PublishName);
            var setup = await session.PublishAsync(setupCts.Token, cancellationToken).ConfigureAwait(false);
            if (setup is not null)
            {
                return cancellationToken.IsCancellationRequested ? EgressOutcome.Canceled : setup;
            }

            logger.LogDebug("Publishing to {Target}", target);
            counters.MarkLive();
            var outcome = await session.ForwardAsync(feed, counters, cancellationToken).ConfigureAwait(false);
            if (outcome.Stage is EgressStage.SourceEnded or EgressStage.Canceled)
            {
                await session.UnpublishAsync().ConfigureAwait(false);
            }

            return outcome;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return EgressOutcome.Canceled;
        }
        catch (OperationCanceledException)
        {
            return session?.PeerFailure ?? new EgressOutcome(EgressStage.Connect, $"no answer within {settings.SetupTimeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            return session?.PeerFailure ?? new EgressOutcome(EgressStage.ClosedByPeer, "connection closed: " + ex.Message);
        }
        finally
        {
            if (session is not null)
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }

            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
