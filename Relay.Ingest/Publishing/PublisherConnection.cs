using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Relay.Ingest.Configuration;
using Relay.Ingest.Rtmp;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Publishing;

/// <summary>
/// One publisher connection terminated by the gateway itself: the handshake, the commands and the media are handled
/// in this process by <see cref="RtmpServerProtocol"/>, and every audio, video and metadata message goes from the
/// socket read loop straight into the channel's hub as an FLV tag, with no process, pipe or thread hop in between.
/// Refusals are answered with an error status first, as nginx-rtmp does, so encoders report the failure.
/// </summary>
internal sealed class PublisherConnection(
    Socket client,
    IPEndPoint remote,
    X509Certificate2? certificate,
    ConnectionLimiter.PendingLease lease,
    IngestOptions options,
    LiveChannelRegistry channels,
    ConnectionLimiter limiter,
    PublishGate gate,
    TimeProvider time,
    ILogger logger)
{
    private ChannelInput? _input;
    private IChannelLease? _channelLease;
    private CancellationTokenRegistration _stopRegistration;
    private IngestTagSink _sink;
    private long _publishStarted;
    private string? _app;

    /// <summary>
    /// Set once a publish was authorized: the pending lease is released and the handshake deadline no longer applies
    /// (inactivity does), and a later protocol error ends the session instead of counting as a refusal.
    /// </summary>
    private bool _everLive;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var clientStream = ClientStreams.Open(client, certificate, blocking: certificate is null);
        using var deadline = new CancellationTokenSource(options.HandshakeTimeout, time);
        using var firstByte = new CancellationTokenSource(options.FirstByteTimeout, time);
        using var preAuth = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, deadline.Token, firstByte.Token, lease.Evicted);
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        PipeReader? reader = null;
        string? refusal = null;
        string? why = null;
        var endReason = IngestEndReason.Dropped;
        try
        {
            await ClientStreams.AuthenticateAsync(clientStream, certificate, preAuth.Token).ConfigureAwait(false);

            reader = PipeReader.Create(clientStream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
            var c0c1 = await ClientStreams.ReadC0C1Async(reader, firstByte, preAuth.Token).ConfigureAwait(false);
            if (c0c1 is null)
            {
                refusal = PublishRejectReason.ProtocolError;
                return;
            }

            var handshake = new ArrayBufferWriter<byte>(1 + 2 * RtmpHandshake.PacketSize);
            RtmpServerProtocol.WriteHandshakeResponse(handshake, c0c1);
            await clientStream.WriteAsync(handshake.WrittenMemory, preAuth.Token).ConfigureAwait(false);
            if (!await SkipC2Async(reader, preAuth.Token).ConfigureAwait(false))
            {
                refusal = PublishRejectReason.ProtocolError;
                return;
            }

            var protocol = new RtmpServerProtocol(PublishGate.MaxPrePublishMessageSize, PublishGate.MaxPrePublishChunkStreams);
            why = await ServeAsync(reader, clientStream, protocol, preAuth.Token, connection).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_everLive && lease.Evicted.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            refusal = PublishRejectReason.TooManyConnections;
        }
        catch (OperationCanceledException) when (!_everLive && (deadline.IsCancellationRequested || firstByte.IsCancellationRequested) && !stoppingToken.IsCancellationRequested)
        {
            refusal = PublishRejectReason.HandshakeTimeout;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested || connection.IsCancellationRequested)
        {
            why = _channelLease?.Lost.IsCancellationRequested == true ? "this node lost the channel's ownership"
                : _input?.StopRequested.IsCancellationRequested == true ? "disconnected by the server" : "shutdown";
            endReason = IngestEndReason.Refused;
        }
        catch (Exception ex) when (ClientStreams.IsConnectionFailure(ex))
        {
            // The client went away or spoke junk (e.g. a TLS handshake that failed); nothing to keep.
            why = "publisher connection failed";
            PublishingLog.ConnectionEnded(logger, remote, ex.Message);
        }
        finally
        {
            if (refusal is not null)
            {
                PublishingLog.CountRefusal(logger, remote, refusal);
            }

            // Every way out but the server's own is a drop: an encoder that meant to stop has unpublished already.
            EndPublish(why ?? "publisher disconnected", endReason);
            if (reader is not null)
            {
                await reader.CompleteAsync().ConfigureAwait(false);
            }

            await ClientStreams.CloseGentlyAsync(client).ConfigureAwait(false);
            await clientStream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>C2 echoes S1; nothing in it matters to a plain-handshake server, so it is only consumed.</summary>
    private static async Task<bool> SkipC2Async(PipeReader reader, CancellationToken cancellationToken)
    {
        var c2 = await reader.ReadAtLeastAsync(RtmpHandshake.PacketSize, cancellationToken).ConfigureAwait(false);
        if (c2.Buffer.Length < RtmpHandshake.PacketSize)
        {
            reader.AdvanceTo(c2.Buffer.End);
            return false;
        }

        reader.AdvanceTo(c2.Buffer.GetPosition(RtmpHandshake.PacketSize));
        return true;
    }

    /// <summary>
    /// The read loop from the first command to the end of the connection. Refusals are counted and logged here;
    /// returns why the connection ended (for the offline log of a live session).
    /// </summary>
    private async Task<string> ServeAsync(PipeReader reader, Stream clientStream, RtmpServerProtocol protocol, CancellationToken preAuthToken, CancellationTokenSource connection)
    {
        // Before the first publish is authorized the handshake deadline bounds everything; after it, inactivity does.
        using var inactivity = CancellationTokenSource.CreateLinkedTokenSource(connection.Token);
        while (true)
        {
            var token = _everLive ? inactivity.Token : preAuthToken;
            if (_everLive)
            {
                inactivity.CancelAfter(options.InactivityTimeout);
            }

            ReadResult result;
            try
            {
                result = await reader.ReadAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_everLive && inactivity.IsCancellationRequested && !connection.IsCancellationRequested)
            {
                return "publisher inactive";
            }

            var buffer = result.Buffer;
            var verdict = default((bool Done, string? Refusal, string? Why));
            while (true)
            {
                var next = protocol.Read(ref buffer);
                if (next == RtmpServerEvent.NeedMoreData)
                {
                    break;
                }

                if (next == RtmpServerEvent.Media)
                {
                    _sink.Publish(protocol.Tag!);
                    continue;
                }

                verdict = await DecideAsync(next, protocol, _everLive ? connection.Token : preAuthToken, connection).ConfigureAwait(false);
                if (verdict.Done)
                {
                    break;
                }
            }

            if (verdict.Refusal is not null)
            {
                // Counted and logged before the encoder hears of it: whoever sees the failure finds it in logs and metrics.
                PublishingLog.CountRefusal(logger, remote, verdict.Refusal);
            }

            // Replies (command results, acknowledgements, pong, a refusal's error status) go out before anything closes.
            // Bounded like the reads: a client that never reads (its window full of pongs) cannot hold the connection
            // past the handshake deadline, or, once live, past the inactivity timeout.
            if (!protocol.Output.IsEmpty)
            {
                try
                {
                    await clientStream.WriteAsync(protocol.Output, _everLive ? inactivity.Token : preAuthToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_everLive && inactivity.IsCancellationRequested && !connection.IsCancellationRequested)
                {
                    return "publisher inactive";
                }

                protocol.ClearOutput();
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (verdict.Done)
            {
                return verdict.Why ?? "refused";
            }

            if (result.IsCompleted)
            {
                // Closed before publishing (a probe, or an encoder that gave up) is not a refusal.
                return "publisher disconnected";
            }
        }
    }

    /// <summary>Acts on an event that is not media; Done ends the connection (after the replies are sent).</summary>
    private async ValueTask<(bool Done, string? Refusal, string? Why)> DecideAsync(RtmpServerEvent next, RtmpServerProtocol protocol, CancellationToken cancellationToken, CancellationTokenSource connection)
    {
        switch (next)
        {
            case RtmpServerEvent.Connect:
                // Never log the app: with "rtmp://host/live/KEY" as the server URL, the key is in it.
                _app = PublishGate.NormalizeApp(protocol.App);
                if (!string.Equals(_app, options.App, StringComparison.Ordinal))
                {
                    protocol.RejectConnect("Unknown application.");
                    return (true, PublishRejectReason.WrongApp, null);
                }

                protocol.AcceptConnect();
                return default;
            case RtmpServerEvent.Publish:
                var name = protocol.PublishName!;
                var (input, channelLease, refusal) = gate.RefuseOverlongName(name, remote)
                    ? (null, null, PublishRejectReason.BadKey)
                    : await gate.AuthorizeAsync(_app!, name, remote, cancellationToken).ConfigureAwait(false);
                if (input is null)
                {
                    protocol.RefusePublish("NetStream.Publish.BadName", RefusalDescription(refusal));
                    return (true, refusal, null);
                }

                StartPublish(input, channelLease, connection);
                protocol.AcceptPublish(options.MaxTagSize, 2L * options.MaxTagSize + PublishGate.MaxPrePublishMessageSize);
                return default;
            case RtmpServerEvent.Unpublish:
                // The encoder stopped (OBS "Stop Streaming" sends FCUnpublish and deleteStream before closing): the
                // channel is offline now; the connection stays for a new publish or the client's close.
                EndPublish("publisher unpublished", IngestEndReason.Unpublish);
                return default;
            default:
                PublishingLog.ProtocolError(logger, remote, protocol.Error ?? "invalid RTMP");
                return _everLive
                    ? (true, null, $"bad RTMP from the publisher: {protocol.Error}")
                    : (true, PublishRejectReason.ProtocolError, null);
        }
    }

    private void StartPublish(ChannelInput input, IChannelLease? channelLease, CancellationTokenSource connection)
    {
        if (!_everLive)
        {
            _everLive = true;
            lease.Dispose();
        }

        limiter.RecordAuthSuccess(remote.Address);
        _input = input;
        var session = input.Session;
        _publishStarted = Stopwatch.GetTimestamp();
        _sink = new IngestTagSink(input, _publishStarted, logger);
        _stopRegistration = input.StopRequested.Register(static state => ((CancellationTokenSource)state!).Cancel(), connection);
        if (channelLease is not null)
        {
            // This publish took the channel: the lease belongs to the channel's session, which may outlive this
            // connection (the slate holds it until a publisher returns), and is released when the session ends.
            _channelLease = channelLease;
            // Lost while live (another node may take the channel now): stop at once, never two owners pushing.
            var lostRegistration = channelLease.Lost.Register(() =>
            {
                PublishingLog.OwnershipLost(logger, session.Hub.ChannelId);
                _ = channels.Stop(session);
            });
            // Released after the hub completed and the observers heard "offline" (egress stops): off this thread,
            // since a cluster's release is a network call.
            _ = session.Ended.ContinueWith(async _ =>
            {
                await lostRegistration.DisposeAsync().ConfigureAwait(false);
                await PublishGate.ReleaseAsync(channelLease, logger).ConfigureAwait(false);
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        }

        PublishingLog.Live(logger, session.Hub.ChannelId, remote, OnAirSource.Of(input.Role));
    }

    private void EndPublish(string why, string reason)
    {
        if (_input is not { } input)
        {
            return;
        }

        _input = null;
        _stopRegistration.Dispose();
        var duration = Stopwatch.GetElapsedTime(_publishStarted);
        if (channels.EndInput(input, reason))
        {
            PublishingLog.Offline(logger, input.ChannelId, why, duration);
        }
        else
        {
            PublishingLog.InputLost(logger, input.ChannelId, OnAirSource.Of(input.Role), why, duration);
        }
    }

    /// <summary>What the encoder is told; the key itself is never echoed.</summary>
    private static string RefusalDescription(string? refusal) => refusal switch
    {
        PublishRejectReason.BadKey => "Invalid stream key.",
        PublishRejectReason.MissingKey => "Missing stream key.",
        PublishRejectReason.AlreadyLive => "The channel already has a publisher.",
        PublishRejectReason.TooManyPublishes => "Too many publish starts for this channel; wait a minute.",
        PublishRejectReason.OwnershipUnavailable => "The server cannot take the channel now; retry shortly.",
        _ => "Publish refused.",
    };
}
