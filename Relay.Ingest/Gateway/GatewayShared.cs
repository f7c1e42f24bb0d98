using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Relay.Ingest.Channels;
using Relay.Ingest.Diagnostics;
using Relay.Ingest.Fanout;
using Relay.Ingest.Rtmp;

namespace Relay.Ingest.Gateway;

/// <summary>
/// The publish decision: empty key, authorizer (failures refuse), brute-force accounting, the per-channel
/// publish-start rate and the channel claim (one publisher per channel).
/// </summary>
internal sealed class PublishGate(IPublishAuthorizer authorizer, LiveChannelRegistry channels, ConnectionLimiter limiter, PublishStartRate publishStarts, TimeProvider time, ILogger logger)
{
    /// <summary>
    /// Longest publish name accepted, as policy: Relay's stream keys are 35 characters, and 255 bytes leaves room for
    /// any key an authorizer may issue while a longer name is refused as <c>bad_key</c> without asking the authorizer.
    /// (The old 127-byte cap was ffmpeg's <c>char filename[128]</c>, which went with the ffmpeg ingest engine.)
    /// </summary>
    public const int MaxStreamNameBytes = 255;

    /// <summary>connect/createStream/publish are small; anything bigger before publish is junk.</summary>
    public const int MaxPrePublishMessageSize = 64 * 1024;

    /// <summary>Encoders use a handful of chunk streams (OBS: 2-7); the cap bounds per-connection state.</summary>
    public const int MaxPrePublishChunkStreams = 16;

    public async Task<(LiveSession? Session, string? Refusal)> AuthorizeAsync(string app, string streamKey, IPEndPoint remote, CancellationToken cancellationToken)
    {
        // The brute-force wait slows the key check; it never decides it. Refusing at accept (as before) locked out
        // every encoder sharing the guesser's address (SNAT load balancer, RTMPS terminator, venue NAT); answering
        // at once would let the guesser learn each answer by its speed. Held back, then checked: a right key passes.
        var delay = limiter.KeyCheckDelay(remote.Address);
        var blocked = delay > TimeSpan.Zero;
        if (blocked)
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }

        if (streamKey.Length == 0)
        {
            limiter.RecordAuthFailure(remote.Address);
            return (null, blocked ? PublishRejectReason.RateLimited : PublishRejectReason.MissingKey);
        }

        PublishDecision decision;
        try
        {
            decision = await authorizer.AuthorizeAsync(new PublishRequest(app, streamKey, remote), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            GatewayLog.AuthorizerFailed(logger, ex, remote);
            return (null, PublishRejectReason.AuthError);
        }

        if (!decision.Accepted)
        {
            if (decision.Reason is PublishRejectReason.BadKey or PublishRejectReason.MissingKey)
            {
                limiter.RecordAuthFailure(remote.Address, streamKey);
                return (null, blocked ? PublishRejectReason.RateLimited : decision.Reason);
            }

            return (null, decision.Reason);
        }

        var channelId = decision.ChannelId!;
        if (!publishStarts.MayStart(channelId))
        {
            return (null, PublishRejectReason.TooManyPublishes);
        }

        var session = channels.TryBeginPublish(channelId);
        if (session is null)
        {
            return (null, PublishRejectReason.AlreadyLive);
        }

        publishStarts.Started(channelId);
        return (session, null);
    }

    /// <summary>A publish name too long to be a key: refused as a bad key (and counted) without asking the authorizer.</summary>
    public bool RefuseOverlongName(string name, IPEndPoint remote)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(name) <= MaxStreamNameBytes)
        {
            return false;
        }

        GatewayLog.ProtocolError(logger, remote, $"publish name longer than {MaxStreamNameBytes} bytes");
        limiter.RecordAuthFailure(remote.Address);
        return true;
    }

    /// <summary>The app of <c>connect</c> without a query string or slashes (<c>live?x=y</c> and <c>/live/</c> are <c>live</c>).</summary>
    public static string? NormalizeApp(string? app)
    {
        if (app is null)
        {
            return null;
        }

        var query = app.IndexOf('?', StringComparison.Ordinal);
        return (query >= 0 ? app[..query] : app).Trim('/');
    }
}

/// <summary>Hands each tag to the hub and keeps the per-channel ingest gauges and the first-media log.</summary>
internal struct IngestTagSink(StreamHub hub, long publishStarted, ILogger logger)
{
    /// <summary>
    /// Largest onMetaData body kept. The hub keeps metadata as the stream's header and sends it first to every new
    /// viewer, destination and recording; real encoders send well under 1 KiB. Larger metadata is dropped (the
    /// stream goes on, with the last metadata that fit, if any).
    /// </summary>
    public const int MaxMetadataBytes = 16 * 1024;

    private bool _sawMedia;
    private bool _droppedMetadata;
    private long _lastGaugeUpdate;

    public void Publish(Flv.FlvTag tag)
    {
        if (tag.Kind == Flv.FlvTagKind.Metadata && tag.BodyLength > MaxMetadataBytes)
        {
            IngestMetrics.MetadataDropped.WithLabels(hub.ChannelId).Inc();
            if (!_droppedMetadata)
            {
                // Once per session: a publisher repeating it must not flood the log.
                _droppedMetadata = true;
                GatewayLog.MetadataDropped(logger, hub.ChannelId, tag.BodyLength, MaxMetadataBytes);
            }

            return;
        }

        if (!_sawMedia)
        {
            _sawMedia = true;
            GatewayLog.FirstMedia(logger, hub.ChannelId, Stopwatch.GetElapsedTime(publishStarted).TotalMilliseconds);
        }

        hub.Publish(tag);
        var now = Stopwatch.GetTimestamp();
        if (Stopwatch.GetElapsedTime(_lastGaugeUpdate, now) >= TimeSpan.FromSeconds(1))
        {
            _lastGaugeUpdate = now;
            var (bits, fps) = hub.GetRates();
            IngestMetrics.BitrateBitsPerSecond.WithLabels(hub.ChannelId).Set(bits ?? 0);
            IngestMetrics.FramesPerSecond.WithLabels(hub.ChannelId).Set(fps ?? 0);
            if (hub.GetStatus().KeyframeIntervalSeconds is { } keyframeInterval)
            {
                IngestMetrics.KeyframeIntervalSeconds.WithLabels(hub.ChannelId).Set(keyframeInterval);
            }
        }
    }
}

/// <summary>The publisher's byte stream: plain RTMP, or TLS for RTMPS.</summary>
internal static class ClientStreams
{
    /// <summary>The socket as a stream, wrapped in TLS when RTMPS is configured (authenticate it with <see cref="AuthenticateAsync"/>).</summary>
    /// <param name="blocking">Plain RTMP on a publisher thread of its own (<see cref="BlockingSocketStream"/>).</param>
    public static Stream Open(Socket client, X509Certificate2? certificate, bool blocking = false)
    {
        client.NoDelay = true;
        if (certificate is null && blocking)
        {
            return new BlockingSocketStream(client);
        }

        Stream stream = new NetworkStream(client, ownsSocket: true);
        return certificate is null ? stream : new SslStream(stream, leaveInnerStreamOpen: false);
    }

    /// <summary>The TLS handshake of an RTMPS connection (nothing for plain RTMP), bounded by the caller's deadline (the first-byte deadline included).</summary>
    public static async ValueTask AuthenticateAsync(Stream stream, X509Certificate2? certificate, CancellationToken cancellationToken)
    {
        if (stream is SslStream tls && certificate is not null)
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads C0+C1; null when the client is not speaking RTMP (wrong version byte, or closed early).
    /// <paramref name="firstByte"/> (the first-byte deadline) is disarmed once the first byte is in; over TLS the
    /// ClientHello was the first byte, so it is disarmed before reading.
    /// </summary>
    public static async Task<byte[]?> ReadC0C1Async(PipeReader reader, CancellationTokenSource firstByte, CancellationToken cancellationToken)
    {
        // Judge the version byte as soon as it arrives: HTTP or TLS on this port is refused at once, not at the deadline.
        var first = await reader.ReadAtLeastAsync(1, cancellationToken).ConfigureAwait(false);
        firstByte.CancelAfter(Timeout.InfiniteTimeSpan);
        if (first.Buffer.IsEmpty || first.Buffer.FirstSpan[0] != RtmpHandshake.Version)
        {
            reader.AdvanceTo(first.Buffer.End);
            return null;
        }

        reader.AdvanceTo(first.Buffer.Start);
        var result = await reader.ReadAtLeastAsync(RtmpHandshake.C0C1Size, cancellationToken).ConfigureAwait(false);
        var buffer = result.Buffer;
        if (buffer.Length < 1 || buffer.FirstSpan[0] != RtmpHandshake.Version || buffer.Length < RtmpHandshake.C0C1Size)
        {
            reader.AdvanceTo(buffer.End);
            return null;
        }

        var c0c1 = buffer.Slice(0, RtmpHandshake.C0C1Size).ToArray();
        reader.AdvanceTo(buffer.GetPosition(RtmpHandshake.C0C1Size));
        return c0c1;
    }

    /// <summary>How long a closing connection keeps reading what the client still sends.</summary>
    private static readonly TimeSpan CloseLinger = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Sends FIN, then reads and drops what the client still sends until it closes too (at most
    /// <see cref="CloseLinger"/>). Closing a socket with unread data sends a reset instead, and a reset makes the
    /// client drop replies it has not read yet: an encoder that pipelines createStream and publish after connect
    /// then never sees why it was refused (seen in the refusal tests once the native engine answered fast).
    /// </summary>
    public static async Task CloseGentlyAsync(Socket client)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            client.Shutdown(SocketShutdown.Send);
            using var linger = new CancellationTokenSource(CloseLinger);
            while (await client.ReceiveAsync(buffer, SocketFlags.None, linger.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Already closed, reset, or still talking after the linger: close it anyway.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The client went away or spoke junk (e.g. a TLS handshake that failed): ends the connection quietly.</summary>
    public static bool IsConnectionFailure(Exception exception) =>
        exception is IOException or SocketException or System.Security.Authentication.AuthenticationException or ObjectDisposedException;
}

/// <summary>Log messages of the RTMP gateway.</summary>
internal static partial class GatewayLog
{
    /// <summary>Counts a refusal by reason and logs it (with the address, never the key).</summary>
    public static void CountRefusal(ILogger logger, IPEndPoint remote, string refusal)
    {
        IngestMetrics.Rejected.WithLabels(refusal).Inc();
        Refused(logger, remote, refusal);
    }

    [LoggerMessage(EventId = EventIds.ConnectionRejected, Level = LogLevel.Information, Message = "Refused RTMP publish from {Remote}: {Reason}")]
    public static partial void Refused(ILogger logger, IPEndPoint remote, string reason);

    [LoggerMessage(EventId = EventIds.ConnectionRejected + 50, Level = LogLevel.Debug, Message = "RTMP protocol error from {Remote}: {Error}")]
    public static partial void ProtocolError(ILogger logger, IPEndPoint remote, string error);

    [LoggerMessage(EventId = EventIds.PublishStarted, Level = LogLevel.Information, Message = "Channel {ChannelId} is live (publisher {Remote})")]
    public static partial void Live(ILogger logger, string channelId, IPEndPoint remote);

    [LoggerMessage(EventId = EventIds.PublishStarted + 51, Level = LogLevel.Warning, Message = "Channel {ChannelId}: onMetaData of {Bytes} bytes dropped (more than {MaxBytes}); the stream goes on without it")]
    public static partial void MetadataDropped(ILogger logger, string channelId, int bytes, int maxBytes);

    [LoggerMessage(EventId = EventIds.PublishStarted + 50, Level = LogLevel.Information, Message = "Channel {ChannelId}: first media {Milliseconds:F0} ms after publish")]
    public static partial void FirstMedia(ILogger logger, string channelId, double milliseconds);

    [LoggerMessage(EventId = EventIds.PublishEnded, Level = LogLevel.Information, Message = "Channel {ChannelId} is offline: {Why} (live for {Duration})")]
    public static partial void Offline(ILogger logger, string channelId, string why, TimeSpan duration);

    [LoggerMessage(EventId = EventIds.ConnectionFailed, Level = LogLevel.Debug, Message = "RTMP connection from {Remote} ended: {Reason}")]
    public static partial void ConnectionEnded(ILogger logger, IPEndPoint remote, string reason);

    [LoggerMessage(EventId = EventIds.ConnectionFailed + 51, Level = LogLevel.Error, Message = "Publish authorizer failed for {Remote}; refusing the publish")]
    public static partial void AuthorizerFailed(ILogger logger, Exception exception, IPEndPoint remote);
}
