using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Relay.Ingest.Channels;
using Relay.Ingest.Configuration;
using Relay.Ingest.Diagnostics;
using Relay.Ingest.Ffmpeg;
using Relay.Ingest.Flv;
using Relay.Ingest.Rtmp;

namespace Relay.Ingest.Gateway;

/// <summary>
/// One publisher connection through the gateway:
/// <list type="number">
/// <item>read C0+C1 and check it is RTMP (version 3) before anything costs a process;</item>
/// <item>start a per-connection ffmpeg listener on a free loopback port (bounded number at once) and connect to it;</item>
/// <item>forward the handshake byte for byte, then parse the client's chunk stream, forwarding chunk by chunk,
/// checking the app in <c>connect</c> and holding the chunk that completes <c>publish</c> until the key is authorized;</item>
/// <item>splice both directions and feed ffmpeg's FLV output into the channel's <see cref="Fanout.StreamHub"/>.</item>
/// </list>
/// Any refusal closes the connection before the publish reaches ffmpeg, so no media moves.
/// </summary>
internal sealed partial class RtmpIngestConnection(
    Socket client,
    IPEndPoint remote,
    X509Certificate2? certificate,
    ConnectionLimiter.PendingLease lease,
    IngestOptions options,
    LiveChannelRegistry channels,
    FfmpegProcessRegistry processes,
    ConnectionLimiter limiter,
    PublishGate gate,
    SemaphoreSlim listenerStarts,
    TimeProvider time,
    ILogger logger)
{
    private string? _streamKey;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var clientStream = ClientStreams.Open(client, certificate);
        using var deadline = new CancellationTokenSource(options.HandshakeTimeout, time);
        using var firstByte = new CancellationTokenSource(options.FirstByteTimeout, time);
        using var preAuth = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, deadline.Token, firstByte.Token, lease.Evicted);
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        FfmpegProcess? ffmpeg = null;
        NetworkStream? upstream = null;
        LiveSession? session = null;
        Task downstream = Task.CompletedTask;
        Task upstreamSplice = Task.CompletedTask;
        Task flv = Task.CompletedTask;
        string? refusal = null;
        try
        {
            await ClientStreams.AuthenticateAsync(clientStream, certificate, preAuth.Token).ConfigureAwait(false);

            var reader = PipeReader.Create(clientStream, new StreamPipeReaderOptions(leaveOpen: true));
            var c0c1 = await ClientStreams.ReadC0C1Async(reader, firstByte, preAuth.Token).ConfigureAwait(false);
            if (c0c1 is null)
            {
                refusal = PublishRejectReason.ProtocolError;
                return;
            }

            (ffmpeg, var upstreamSocket) = await StartListenerAsync(preAuth.Token).ConfigureAwait(false);
            if (ffmpeg is null || upstreamSocket is null)
            {
                refusal = PublishRejectReason.Unavailable;
                return;
            }

            upstream = new NetworkStream(upstreamSocket, ownsSocket: true);
            await upstream.WriteAsync(c0c1, preAuth.Token).ConfigureAwait(false);
            downstream = CopyDownstreamAsync(upstream, clientStream, connection.Token);

            (session, refusal) = await ReadUntilPublishAuthorizedAsync(reader, upstream, preAuth.Token).ConfigureAwait(false);
            if (session is null)
            {
                return;
            }

            lease.Dispose();
            limiter.RecordAuthSuccess(remote.Address);
            var channelId = session.Hub.ChannelId;
            var started = Stopwatch.GetTimestamp();
            GatewayLog.Live(logger, channelId, remote);
            using var stopRegistration = session.StopRequested.Register(() => connection.Cancel());

            var splice = SpliceUpstreamAsync(reader, upstream, connection.Token);
            upstreamSplice = splice;
            flv = PumpFlvAsync(ffmpeg, session, started, connection.Token);
            var ended = await Task.WhenAny(upstreamSplice, downstream, flv, ffmpeg.Exited, Task.Delay(Timeout.Infinite, connection.Token).ContinueWith(_ => { }, TaskScheduler.Default)).ConfigureAwait(false);
            var why = session.StopRequested.IsCancellationRequested ? "disconnected by the server"
                : stoppingToken.IsCancellationRequested ? "shutdown"
                : ended == splice ? (splice.IsCompletedSuccessfully ? splice.Result : "publisher connection failed")
                : ended == downstream ? "ffmpeg closed the RTMP connection"
                : ended == flv ? "ffmpeg output ended"
                : "ffmpeg exited";
            if (ended == flv && flv.Exception?.InnerException is InvalidDataException bad)
            {
                why = $"bad FLV from ffmpeg: {bad.Message}";
            }

            GatewayLog.Offline(logger, channelId, why, Stopwatch.GetElapsedTime(started));
            if (ffmpeg.HasExited && await ffmpeg.Exited.ConfigureAwait(false) != FfmpegExitOutcome.Clean && ffmpeg.Stderr.Lines.Count > 0)
            {
                LogIngestStderr(logger, channelId, ffmpeg.Stderr.ToString());
            }
        }
        catch (OperationCanceledException) when (session is null && lease.Evicted.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            refusal = PublishRejectReason.TooManyConnections;
        }
        catch (OperationCanceledException) when (session is null && (deadline.IsCancellationRequested || firstByte.IsCancellationRequested) && !stoppingToken.IsCancellationRequested)
        {
            refusal = PublishRejectReason.HandshakeTimeout;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested || connection.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ClientStreams.IsConnectionFailure(ex))
        {
            // The client went away or spoke junk (e.g. a TLS handshake that failed); nothing to keep.
            GatewayLog.ConnectionEnded(logger, remote, ex.Message);
        }
        finally
        {
            if (refusal is not null)
            {
                GatewayLog.CountRefusal(logger, remote, refusal);
            }

            await connection.CancelAsync().ConfigureAwait(false);
            if (ffmpeg is not null)
            {
                // A clean disconnect lets ffmpeg finish on its own within the grace; anything else is killed now.
                if (session is null)
                {
                    ffmpeg.Kill();
                }

                await ffmpeg.StopAsync(TimeSpan.FromMilliseconds(500), CancellationToken.None).ConfigureAwait(false);
            }

            upstream?.Dispose();
            await clientStream.DisposeAsync().ConfigureAwait(false);
            // All pumps end once the sockets and ffmpeg are gone; awaiting them observes their failures.
            await Task.WhenAll(downstream, upstreamSplice, flv).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            if (session is not null)
            {
                channels.EndPublish(session);
            }
        }
    }

    private async Task<(FfmpegProcess? Process, Socket? Socket)> StartListenerAsync(CancellationToken cancellationToken)
    {
        await listenerStarts.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Two attempts: the free port we picked can be taken by someone else before ffmpeg binds it.
            for (var attempt = 0; attempt < 2; attempt++)
            {
                var port = FreeLoopbackPort();
                FfmpegProcess process;
                try
                {
                    process = processes.Start(new FfmpegStartInfo(
                        "ingest",
                        IngestListenerArguments.Build(port, options.App, options.HandshakeTimeoutSeconds + 5),
                        StderrFilter: RedactStderr));
                }
                catch (InvalidOperationException ex)
                {
                    LogListenerFailed(logger, ex.Message);
                    return (null, null);
                }

                try
                {
                    var socket = await ConnectAsync(port, process, cancellationToken).ConfigureAwait(false);
                    if (socket is not null)
                    {
                        return (process, socket);
                    }
                }
                catch
                {
                    process.Kill();
                    throw;
                }

                LogListenerFailed(logger, process.Stderr.ToString());
                process.Kill();
            }

            return (null, null);
        }
        finally
        {
            listenerStarts.Release();
        }
    }

    /// <summary>Connects once ffmpeg listens (~70 ms after spawn); the client's handshake simply waits meanwhile.</summary>
    private static async Task<Socket?> ConnectAsync(int port, FfmpegProcess process, CancellationToken cancellationToken)
    {
        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        while (!process.HasExited)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException)
            {
                socket.Dispose();
                await Task.Delay(5, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        return null;
    }

    /// <summary>
    /// Forwards C2 and the chunk stream up to <c>publish</c>; returns the claimed session, or the refusal reason.
    /// Bytes are forwarded at chunk granularity so the chunk that completes <c>publish</c> can be held back.
    /// </summary>
    private async Task<(LiveSession? Session, string? Refusal)> ReadUntilPublishAuthorizedAsync(PipeReader reader, Stream upstream, CancellationToken cancellationToken)
    {
        var c2 = await reader.ReadAtLeastAsync(RtmpHandshake.PacketSize, cancellationToken).ConfigureAwait(false);
        if (c2.Buffer.Length < RtmpHandshake.PacketSize)
        {
            reader.AdvanceTo(c2.Buffer.End);
            return (null, PublishRejectReason.ProtocolError);
        }

        await WriteAsync(upstream, c2.Buffer.Slice(0, RtmpHandshake.PacketSize), cancellationToken).ConfigureAwait(false);
        reader.AdvanceTo(c2.Buffer.GetPosition(RtmpHandshake.PacketSize));

        var state = new RtmpChunkStreamState(PublishGate.MaxPrePublishMessageSize, PublishGate.MaxPrePublishChunkStreams);
        string? app = null;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var remaining = buffer;
            while (true)
            {
                var chunkStart = remaining.Start;
                var status = RtmpChunkReader.TryRead(ref remaining, state, out var message);
                if (status == RtmpChunkStatus.NeedMoreData)
                {
                    break;
                }

                if (status == RtmpChunkStatus.Invalid)
                {
                    GatewayLog.ProtocolError(logger, remote, state.Error!);
                    reader.AdvanceTo(buffer.End);
                    return (null, PublishRejectReason.ProtocolError);
                }

                if (status != RtmpChunkStatus.MessageComplete)
                {
                    continue;
                }

                var verdict = Inspect(message!, ref app, out var streamKey);
                if (verdict.Refusal is not null)
                {
                    reader.AdvanceTo(buffer.End);
                    return (null, verdict.Refusal);
                }

                if (!verdict.IsPublish)
                {
                    continue;
                }

                // Everything before the publish chunk goes to ffmpeg now; the publish chunk waits for the verdict.
                await WriteAsync(upstream, buffer.Slice(buffer.Start, chunkStart), cancellationToken).ConfigureAwait(false);
                var (session, refusal) = await AuthorizeAsync(app!, streamKey!, cancellationToken).ConfigureAwait(false);
                if (session is null)
                {
                    reader.AdvanceTo(buffer.End);
                    return (null, refusal);
                }

                try
                {
                    await WriteAsync(upstream, buffer.Slice(chunkStart), cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    channels.EndPublish(session);
                    throw;
                }

                reader.AdvanceTo(buffer.End);
                return (session, null);
            }

            await WriteAsync(upstream, buffer.Slice(buffer.Start, remaining.Start), cancellationToken).ConfigureAwait(false);
            reader.AdvanceTo(remaining.Start, buffer.End);
            if (result.IsCompleted)
            {
                // Closed before publishing (a probe, or an encoder that gave up): nothing to refuse.
                return (null, null);
            }
        }
    }

    private readonly record struct Verdict(bool IsPublish, string? Refusal);

    private Verdict Inspect(RtmpMessage message, ref string? app, out string? streamKey)
    {
        streamKey = null;
        switch (message.Header.TypeId)
        {
            case RtmpMessageType.Audio or RtmpMessageType.Video or RtmpMessageType.Aggregate
                or RtmpMessageType.DataAmf0 or RtmpMessageType.DataAmf3:
                GatewayLog.ProtocolError(logger, remote, "media or data before publish");
                return new Verdict(false, PublishRejectReason.ProtocolError);
            case RtmpMessageType.CommandAmf0 or RtmpMessageType.CommandAmf3:
                break;
            default:
                return default;
        }

        if (!RtmpCommand.TryParse(message, out var command, out var error))
        {
            GatewayLog.ProtocolError(logger, remote, $"malformed command: {error}");
            return new Verdict(false, PublishRejectReason.ProtocolError);
        }

        switch (command!.Name)
        {
            case "releaseStream" or "FCPublish" or "publish"
                when command.Arguments.Count > 0 && command.Arguments[0] is string name && gate.RefuseOverlongName(name, remote):
                // ffmpeg's listener reads the name into a 128-byte buffer and drops the connection otherwise;
                // no valid key is that long, so refuse it as a bad key before ffmpeg sees it.
                return new Verdict(false, PublishRejectReason.BadKey);
            case "connect":
                // Never log the app: with "rtmp://host/live/KEY" as the server URL, the key is in it.
                var requested = (command.CommandObject as IReadOnlyDictionary<string, object?>)?.GetValueOrDefault("app") as string;
                app = PublishGate.NormalizeApp(requested);
                return string.Equals(app, options.App, StringComparison.Ordinal)
                    ? default
                    : new Verdict(false, PublishRejectReason.WrongApp);
            case "publish":
                if (app is null)
                {
                    GatewayLog.ProtocolError(logger, remote, "publish before connect");
                    return new Verdict(false, PublishRejectReason.ProtocolError);
                }

                streamKey = command.Arguments.Count > 0 ? command.Arguments[0] as string ?? "" : "";
                return new Verdict(true, null);
            default:
                return default;
        }
    }

    private Task<(LiveSession? Session, string? Refusal)> AuthorizeAsync(string app, string streamKey, CancellationToken cancellationToken)
    {
        // Known before ffmpeg can print it: its stderr is redacted with it.
        _streamKey = streamKey.Length > 0 ? streamKey : null;
        return gate.AuthorizeAsync(app, streamKey, remote, cancellationToken);
    }

    private async Task<string> SpliceUpstreamAsync(PipeReader reader, Stream upstream, CancellationToken cancellationToken)
    {
        using var inactivity = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        while (true)
        {
            inactivity.CancelAfter(options.InactivityTimeout);
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(inactivity.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return "publisher inactive";
            }

            await WriteAsync(upstream, result.Buffer, cancellationToken).ConfigureAwait(false);
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return "publisher disconnected";
            }
        }
    }

    private static async Task CopyDownstreamAsync(Stream upstream, Stream clientStream, CancellationToken cancellationToken)
    {
        await Task.Yield();
        await upstream.CopyToAsync(clientStream, cancellationToken).ConfigureAwait(false);
    }

    private async Task PumpFlvAsync(FfmpegProcess ffmpeg, LiveSession session, long started, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var sink = new IngestTagSink(session.Hub, started, logger);
        var reader = PipeReader.Create(ffmpeg.StandardOutput, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        await foreach (var tag in FlvTagReader.ReadTagsAsync(reader, options.MaxTagSize, cancellationToken).ConfigureAwait(false))
        {
            sink.Publish(tag);
        }
    }

    /// <summary>ffmpeg names the publish name it did not expect; drop that line (and any line holding the key).</summary>
    private string? RedactStderr(string line)
    {
        if (line.Contains("Unexpected stream", StringComparison.Ordinal))
        {
            return null;
        }

        var key = _streamKey;
        return key is { Length: > 0 } && line.Contains(key, StringComparison.Ordinal) ? line.Replace(key, "****", StringComparison.Ordinal) : line;
    }

    private static async ValueTask WriteAsync(Stream stream, ReadOnlySequence<byte> data, CancellationToken cancellationToken)
    {
        foreach (var segment in data)
        {
            await stream.WriteAsync(segment, cancellationToken).ConfigureAwait(false);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }






    [LoggerMessage(EventId = EventIds.PublishEnded + 50, Level = LogLevel.Warning, Message = "Ingest ffmpeg of channel {ChannelId} ended badly; last stderr lines:\n{Stderr}")]
    private static partial void LogIngestStderr(ILogger logger, string channelId, string stderr);


    [LoggerMessage(EventId = EventIds.ConnectionFailed + 50, Level = LogLevel.Error, Message = "The ffmpeg ingest listener could not be started: {Detail}")]
    private static partial void LogListenerFailed(ILogger logger, string detail);

}
