using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using Microsoft.Extensions.Logging;
using Relay.Ingest.Configuration;
using Relay.Ingest.Diagnostics;
using Relay.Ingest.Ffmpeg;
using Relay.Ingest.Media;
using Relay.Ingest.Publishing;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Srt;

/// <summary>
/// One accepted SRT publisher: the publish decision (<see cref="PublishGate"/>, as RTMP), then one ffmpeg that remuxes
/// the MPEG-TS to FLV (<c>-c copy</c>, pipe to pipe), whose tags go into the channel's hub through the same
/// <see cref="IngestTagSink"/> as RTMP's. The receive loop runs on this connection's own thread with blocking
/// <c>srt_recvmsg</c>; the FLV side is read on the thread pool. Every payload must be whole TS packets (sync byte
/// 0x47 every 188 bytes): anything else ends the publish at once, and ffmpeg producing nothing for the inactivity
/// timeout ends it too, so bad bytes never hang a channel or grow memory (the pipe to ffmpeg is the only buffer).
/// </summary>
internal sealed class SrtPublisherConnection(
    int socket,
    IPEndPoint remote,
    SrtStreamId streamId,
    ConnectionLimiter.PendingLease lease,
    IngestOptions options,
    LiveChannelRegistry channels,
    ConnectionLimiter limiter,
    PublishGate gate,
    FfmpegProcessRegistry processes,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>Largest SRT live payload (MTU 1500 - 28 UDP - 16 SRT).</summary>
    private const int MaxPayload = 1456;
    private const int TsPacket = 188;
    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan StatsInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A connection lost within this long after its last data was closed by the encoder (SRT's shutdown message);
    /// a network drop shows as silence first (libsrt's peer idle timeout is 5 s), so it is counted as dropped.
    /// </summary>
    private static readonly TimeSpan CleanCloseWindow = TimeSpan.FromSeconds(1.5);

    /// <summary>How long the remux may take to hand over what it holds once the publisher is gone.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(3);

    private long _lastTag;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        string? refusal = null;
        ChannelInput? input = null;
        IChannelLease? channelLease = null;
        FfmpegProcess? ffmpeg = null;
        Task<string?>? remux = null;
        var why = "publisher disconnected";
        var endReason = IngestEndReason.Dropped;
        var started = Stopwatch.GetTimestamp();
        try
        {
            using (var deadline = new CancellationTokenSource(options.HandshakeTimeout, time))
            using (var preAuth = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, deadline.Token, lease.Evicted))
            {
                try
                {
                    (input, channelLease, refusal) = await gate.AuthorizeAsync(streamId.App, streamId.PublishName, remote, preAuth.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    refusal = lease.Evicted.IsCancellationRequested ? PublishRejectReason.TooManyConnections : PublishRejectReason.HandshakeTimeout;
                }
            }

            if (input is null)
            {
                why = "refused";
                return;
            }

            var session = input.Session;
            if (channelLease is not null)
            {
                // As RTMP's: the lease belongs to the channel's session, which may outlive this connection (the slate
                // holds it until a publisher returns), and is released when the session ends.
                var taken = channelLease;
                var lostRegistration = taken.Lost.Register(() =>
                {
                    PublishingLog.OwnershipLost(logger, session.Hub.ChannelId);
                    _ = channels.Stop(session);
                });
                _ = session.Ended.ContinueWith(async _ =>
                {
                    await lostRegistration.DisposeAsync().ConfigureAwait(false);
                    await PublishGate.ReleaseAsync(taken, logger).ConfigureAwait(false);
                }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            }

            lease.Dispose();
            limiter.RecordAuthSuccess(remote.Address);
            SrtMetrics.Connections.Inc();
            PublishingLog.Live(logger, session.Hub.ChannelId, remote, OnAirSource.Of(input.Role));
            Interlocked.Exchange(ref _lastTag, Stopwatch.GetTimestamp());
            try
            {
                ffmpeg = processes.Start(new FfmpegStartInfo("srt", RemuxArguments(), StdinIsMedia: true));
            }
            catch (InvalidOperationException ex)
            {
                SrtLog.RemuxFailed(logger, session.Hub.ChannelId, ex.Message);
                why = "ffmpeg could not start";
                return;
            }

            remux = Task.Run(() => RemuxAsync(ffmpeg, input, started));
            (why, endReason) = Receive(input, ffmpeg, remux, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            why = "shutdown";
            endReason = IngestEndReason.Refused;
        }
        finally
        {
            if (refusal is not null)
            {
                SrtLog.CountRefusal(logger, remote, refusal);
            }

            if (ffmpeg is not null)
            {
                await FinishRemuxAsync(ffmpeg, remux, input!.ChannelId).ConfigureAwait(false);
            }

            if (input is not null)
            {
                SrtMetrics.Connections.Dec();
                var duration = Stopwatch.GetElapsedTime(started);
                if (channels.EndInput(input, endReason))
                {
                    PublishingLog.Offline(logger, input.ChannelId, why, duration);
                }
                else
                {
                    PublishingLog.InputLost(logger, input.ChannelId, OnAirSource.Of(input.Role), why, duration);
                }
            }

            SrtLog.ConnectionEnded(logger, remote, why);
            SrtNative.Close(socket);
            lease.Dispose();
        }
    }

    /// <summary>The receive loop; returns why the publish ended and the end reason.</summary>
    private (string Why, string Reason) Receive(ChannelInput input, FfmpegProcess ffmpeg, Task<string?> remux, CancellationToken stoppingToken)
    {
        var channelId = input.ChannelId;
        var stats = new SrtLinkStats(socket, channelId);
        SrtNative.SetBool(socket, SrtNative.OptRcvSyn, true);
        SrtNative.SetInt(socket, SrtNative.OptRcvTimeo, (int)ReceiveTimeout.TotalMilliseconds);
        var stdin = ffmpeg.StandardInput;
        var buffer = new byte[MaxPayload];
        var lastData = Stopwatch.GetTimestamp();
        var lastStats = lastData;
        try
        {
            while (true)
            {
                if (stoppingToken.IsCancellationRequested)
                {
                    return ("shutdown", IngestEndReason.Refused);
                }

                if (input.StopRequested.IsCancellationRequested)
                {
                    return ("disconnected by the server", IngestEndReason.Refused);
                }

                if (remux.IsCompleted)
                {
                    return ("the MPEG-TS could not be remuxed", IngestEndReason.Dropped);
                }

                var now = Stopwatch.GetTimestamp();
                if (Stopwatch.GetElapsedTime(lastStats, now) >= StatsInterval)
                {
                    lastStats = now;
                    stats.Sample();
                }

                if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastTag), now) > options.InactivityTimeout)
                {
                    return ("no media from the publisher's MPEG-TS", IngestEndReason.Dropped);
                }

                int received;
                unsafe
                {
                    fixed (byte* p = buffer)
                    {
                        received = SrtNative.ReceiveMessage(socket, p, buffer.Length);
                    }
                }

                if (received > 0)
                {
                    if (!IsTransportStream(buffer.AsSpan(0, received)))
                    {
                        SrtLog.BadMedia(logger, channelId, received);
                        return ("the publisher sent bytes that are not MPEG-TS", IngestEndReason.Dropped);
                    }

                    lastData = Stopwatch.GetTimestamp();
                    try
                    {
                        stdin.Write(buffer, 0, received);
                    }
                    catch (IOException)
                    {
                        // ffmpeg is gone: the remux task reports why on the next turn.
                        remux.Wait(DrainTimeout);
                    }

                    continue;
                }

                var error = SrtNative.LastError();
                if (error is SrtNative.ErrorTimeout or SrtNative.ErrorAsyncReceive)
                {
                    if (Stopwatch.GetElapsedTime(lastData) > options.InactivityTimeout)
                    {
                        return ("publisher inactive", IngestEndReason.Dropped);
                    }

                    continue;
                }

                return Stopwatch.GetElapsedTime(lastData) < CleanCloseWindow
                    ? ("publisher closed the SRT connection", IngestEndReason.Unpublish)
                    : ("SRT connection lost", IngestEndReason.Dropped);
            }
        }
        finally
        {
            stats.Sample();
            SrtLog.SessionStats(logger, channelId, stats.Received, stats.Lost, stats.Retransmitted, stats.Dropped, stats.RttMs);
        }
    }

    /// <summary>Reads ffmpeg's FLV and publishes each tag; returns an error, or null at the end of the stream.</summary>
    private async Task<string?> RemuxAsync(FfmpegProcess ffmpeg, ChannelInput input, long started)
    {
        var sink = new IngestTagSink(input, started, logger);
        var reader = PipeReader.Create(ffmpeg.StandardOutput, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        try
        {
            await foreach (var tag in FlvTagReader.ReadTagsAsync(reader, options.MaxTagSize, CancellationToken.None).ConfigureAwait(false))
            {
                sink.Publish(tag);
                Interlocked.Exchange(ref _lastTag, Stopwatch.GetTimestamp());
            }

            return null;
        }
        catch (InvalidDataException ex)
        {
            return ex.Message;
        }
        catch (IOException ex)
        {
            return ex.Message;
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>stdin EOF lets ffmpeg flush the frames it holds into the hub; then it is stopped (killed if it hangs).</summary>
    private async Task FinishRemuxAsync(FfmpegProcess ffmpeg, Task<string?>? remux, string channelId)
    {
        try
        {
            ffmpeg.StandardInput.Close();
        }
        catch (IOException)
        {
        }

        string? error = null;
        if (remux is not null)
        {
            try
            {
                error = await remux.WaitAsync(DrainTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                error = "ffmpeg did not finish within " + DrainTimeout.TotalSeconds + " s";
            }
        }

        await ffmpeg.StopAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        if (remux is { IsCompleted: false })
        {
            // Its stdout is closed now: the last tags it holds reach the hub before the publish ends, not after.
            await Task.WhenAny(remux, Task.Delay(DrainTimeout)).ConfigureAwait(false);
        }
        if (error is null && ffmpeg.ExitCode is not (null or 0))
        {
            error = ffmpeg.Stderr.Lines.LastOrDefault() ?? $"ffmpeg exited with {ffmpeg.ExitCode}";
        }

        if (error is not null)
        {
            SrtLog.RemuxFailed(logger, channelId, error);
        }
    }

    /// <summary>Whole TS packets, each starting with the sync byte: what every SRT live sender puts in a payload.</summary>
    internal static bool IsTransportStream(ReadOnlySpan<byte> payload)
    {
        if (payload.Length == 0 || payload.Length % TsPacket != 0)
        {
            return false;
        }

        for (var i = 0; i < payload.Length; i += TsPacket)
        {
            if (payload[i] != 0x47)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// First video and first audio stream (a TS may carry data or SCTE-35 streams FLV cannot), copied. The probe is
    /// kept short so the first tag follows the first keyframe closely.
    /// </summary>
    private static IReadOnlyList<string> RemuxArguments() =>
    [
        "-probesize", "500000", "-analyzeduration", "1000000",
        "-f", "mpegts", "-i", "pipe:0",
        "-map", "0:v:0?", "-map", "0:a:0?",
        "-c", "copy", "-f", "flv", "-flvflags", "no_duration_filesize", "pipe:1",
    ];
}
