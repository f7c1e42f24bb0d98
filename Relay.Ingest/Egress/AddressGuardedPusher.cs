using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Relay.Ingest.Egress.Rtmp;
using Relay.Ingest.Egress.Source;

namespace Relay.Ingest.Egress;

/// <summary>
/// Wraps the pusher of a destination whose URL a host key set. Whatever fails before RTMP is spoken (name lookup,
/// a refused or filtered port, an address the policy refuses, TLS, a peer that is not an RTMP server) reads as one
/// <c>lastError</c>, so a host key cannot use destinations as a port scanner or an internal DNS oracle; the detail
/// goes to the Debug log. For <c>engine: ffmpeg</c>, which dials by itself, the address is vetted just before ffmpeg
/// starts (the native engines connect to the vetted address itself, see <see cref="RtmpPushSettings.AddressGuard"/>).
/// </summary>
public sealed class AddressGuardedPusher(IEgressPusher inner, string url, DestinationAddressPolicy? vetBeforeStart, ILogger logger) : IEgressPusher
{
    public const string Unreachable = "not an RTMP server or unreachable";

    public async Task<EgressOutcome> RunAsync(IEgressFeed feed, PushCounters counters, CancellationToken cancellationToken)
    {
        if (vetBeforeStart is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            try
            {
                await vetBeforeStart.ResolvePublicAsync(uri.IdnHost, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                return Collapse(new EgressOutcome(EgressStage.Connect, "address refused or not resolved: " + ex.SocketErrorCode));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return EgressOutcome.Canceled;
            }
        }

        return Collapse(await inner.RunAsync(feed, counters, cancellationToken).ConfigureAwait(false));
    }

    private EgressOutcome Collapse(EgressOutcome outcome)
    {
        if (outcome.Stage is not (EgressStage.Resolve or EgressStage.Connect or EgressStage.Tls or EgressStage.Handshake))
        {
            return outcome;
        }

        logger.LogDebug("Push to {Url} failed before RTMP: {Detail}", UrlRedactor.Redact(url), outcome.Error);
        return new EgressOutcome(EgressStage.Connect, Unreachable);
    }
}
