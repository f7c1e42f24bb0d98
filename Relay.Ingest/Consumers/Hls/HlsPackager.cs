using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Relay.Common.Resilience;
using Relay.Ingest.Diagnostics;
using Relay.Ingest.Streams;
using Relay.Ingest.Ffmpeg;
using Relay.Ingest.Media;

namespace Relay.Ingest.Consumers.Hls;

/// <summary>
/// The HLS packager of one live session: an ffmpeg child fed the channel's FLV through stdin, restarted with backoff
/// when it dies while the channel is live, its folder removed when the session ends.
/// </summary>
internal sealed partial class HlsPackager(
    StreamHub hub,
    string directory,
    HlsOptions options,
    FfmpegProcessRegistry processes,
    TimeProvider time,
    ILogger logger)
{
    public const string Role = "hls";
    public const string SubscriberKind = "hls";

    /// <summary>A run this long was stable: its crash counts as the first again (one crash an hour is not a crash loop).</summary>
    public static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(30);

    private enum RunEnd
    {
        /// <summary>The publisher went away; ffmpeg was given the end of its input and finished.</summary>
        StreamEnded,

        /// <summary>Shutdown.</summary>
        Cancelled,

        /// <summary>ffmpeg exited, could not be fed or could not be started while the channel is live.</summary>
        PackagerFailed,
    }

    /// <summary>Restarts so far (tests and logs).</summary>
    public int Restarts { get; private set; }

    /// <summary>PID of the running ffmpeg, if any.</summary>
    public int? Pid { get; private set; }

    /// <summary>
    /// Pause before restarting a crashed packager: 0.5 s, doubling up to <see cref="HlsOptions.MaxRestartDelaySeconds"/>,
    /// with ±20 % jitter so packagers of many channels that died together (OOM, ffmpeg upgrade) do not restart in lockstep.
    /// </summary>
    public static BackoffPolicy RestartBackoff(HlsOptions options) =>
        new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(options.MaxRestartDelaySeconds), BackoffJitter.Around(0.2)) { ResetAfter = StableAfter };

    /// <summary>
    /// Set when the channel's video is a codec the packager cannot read (HEVC, AV1, VP9 over Enhanced RTMP: ffmpeg
    /// reads E-RTMP FLV only from 6.1, Relay's is 5.1): no HLS for this live session, and the playlist says why.
    /// </summary>
    public string? UnpackagedCodec { get; private set; }

    /// <summary>How long the packager waits for the video's sequence header before it starts anyway (audio only).</summary>
    private static readonly TimeSpan CodecWait = TimeSpan.FromSeconds(3);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new BackoffCounter(RestartBackoff(options), time);
        try
        {
            if (await VideoCodecAsync(cancellationToken).ConfigureAwait(false) is { } codec and not "h264")
            {
                // Starting ffmpeg would only crash and restart it for the whole show: say so once and stay off.
                UnpackagedCodec = codec;
                LogCodecNotPackaged(logger, hub.ChannelId, codec);
                while (!hub.IsCompleted)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken).ConfigureAwait(false);
                }

                return;
            }

            while (!cancellationToken.IsCancellationRequested && !hub.IsCompleted)
            {
                ResetDirectory();
                var started = time.GetTimestamp();
                var (end, process) = await RunOnceAsync(cancellationToken).ConfigureAwait(false);
                if (end != RunEnd.PackagerFailed || hub.IsCompleted)
                {
                    break;
                }

                var delay = backoff.Next(time.GetElapsedTime(started));
                LogPackagerDied(logger, hub.ChannelId, process?.ExitCode, delay.TotalSeconds, process is null ? "not started" : string.Join(" | ", process.Stderr.Lines.TakeLast(5)));
                await PauseUnlessEndedAsync(delay, cancellationToken).ConfigureAwait(false);
                Restarts++;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            Pid = null;
            DeleteDirectory();
        }
    }

    /// <summary>Track 0's video codec once its sequence header arrived; null for a stream without video (yet).</summary>
    private async Task<string?> VideoCodecAsync(CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        string? codec;
        while ((codec = hub.VideoCodecOf(0)) is null && !hub.IsCompleted && waited.Elapsed < CodecWait)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        }

        return codec;
    }

    /// <summary>The backoff pause, cut short when the publisher goes: the session's cleanup must not wait for it.</summary>
    private async Task PauseUnlessEndedAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        var until = time.GetTimestamp() + (long)(delay.TotalSeconds * time.TimestampFrequency);
        while (!hub.IsCompleted && time.GetTimestamp() < until)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(RunEnd End, FfmpegProcess? Process)> RunOnceAsync(CancellationToken cancellationToken)
    {
        // A fresh subscription per attempt: it starts with the sequence headers and the cached GOP, which is what a
        // new ffmpeg needs to start a decodable first segment.
        using var subscription = hub.Subscribe($"hls-{hub.ChannelId}", SubscriberKind);
        FfmpegProcess process;
        try
        {
            process = processes.Start(new FfmpegStartInfo(Role, HlsPackagerArguments.For(directory, options), StdinIsMedia: true));
        }
        catch (InvalidOperationException ex)
        {
            LogStartFailed(logger, ex, hub.ChannelId);
            return (RunEnd.PackagerFailed, null);
        }

        Pid = process.Pid;
        using var feedCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var feed = FeedAsync(subscription, process.StandardInput, feedCancellation.Token);
        var first = await Task.WhenAny(feed, process.Exited).ConfigureAwait(false);
        if (first != feed)
        {
            // ffmpeg ended while the stream goes on (crash, kill -9, bad input).
            await feedCancellation.CancelAsync().ConfigureAwait(false);
            await feed.ConfigureAwait(false);
            return (hub.IsCompleted ? RunEnd.StreamEnded : RunEnd.PackagerFailed, process);
        }

        var fed = await feed.ConfigureAwait(false);
        // Closing stdin lets ffmpeg write its last segment and exit; the registry kills it after the grace period.
        await process.StopAsync(FfmpegProcess.DefaultStopGrace, CancellationToken.None).ConfigureAwait(false);
        return fed switch
        {
            FeedEnd.InputCompleted => (RunEnd.StreamEnded, process),
            FeedEnd.Cancelled when cancellationToken.IsCancellationRequested => (RunEnd.Cancelled, process),
            _ => (RunEnd.PackagerFailed, process),
        };
    }

    private enum FeedEnd
    {
        InputCompleted,
        Cancelled,
        WriteFailed,
    }

    private static async Task<FeedEnd> FeedAsync(StreamSubscription subscription, Stream stdin, CancellationToken cancellationToken)
    {
        try
        {
            await stdin.WriteAsync(FlvTagReader.AudioVideoFileHeader.ToArray(), cancellationToken).ConfigureAwait(false);
            // The default tracks as plain single-track tags: ffmpeg knows no E-RTMP v2 multitrack.
            var reader = new TrackSelectingReader(subscription.Reader, new FlvTrackSelector(0));
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var tag))
                {
                    // ffmpeg 5.1 reads an onCuePoint as a `text` subtitle stream that `-map 0:v? -map 0:a?` drops and no muxer of
                    // its makes timed ID3 of (docs/playback.md, "Cue points"): not fed, so it never adds a stream to the probe.
                    if (tag.Kind != FlvTagKind.CuePoint)
                    {
                        await stdin.WriteAsync(tag.Serialized, cancellationToken).ConfigureAwait(false);
                    }
                }

                await stdin.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            return FeedEnd.InputCompleted;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return FeedEnd.Cancelled;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // Broken pipe: ffmpeg is gone; the caller sees its exit.
            return FeedEnd.WriteFailed;
        }
    }

    private void ResetDirectory()
    {
        // A restarted packager starts a new playlist; segments of the dead one would never be deleted by the new one.
        DeleteDirectory();
        Directory.CreateDirectory(directory);
    }

    private void DeleteDirectory()
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogCleanupFailed(logger, ex, hub.ChannelId, directory);
        }
    }

    [LoggerMessage(EventId = EventIds.HlsPackagerDied, Level = LogLevel.Warning, Message = "HLS packager of channel {ChannelId} exited while live (code {ExitCode}); restarting in {DelaySeconds:0.0} s. Last stderr: {Stderr}")]
    private static partial void LogPackagerDied(ILogger logger, string channelId, int? exitCode, double delaySeconds, string stderr);

    [LoggerMessage(EventId = EventIds.HlsPackagerStartFailed, Level = LogLevel.Error, Message = "Could not start the HLS packager of channel {ChannelId}")]
    private static partial void LogStartFailed(ILogger logger, Exception exception, string channelId);

    [LoggerMessage(EventId = EventIds.HlsCodecNotPackaged, Level = LogLevel.Warning, Message = "No HLS for channel {ChannelId}: its video is {Codec} over Enhanced RTMP, which the ffmpeg packager cannot read (HTTP-FLV plays it)")]
    private static partial void LogCodecNotPackaged(ILogger logger, string channelId, string codec);

    [LoggerMessage(EventId = EventIds.HlsCleanupFailed, Level = LogLevel.Warning, Message = "Could not remove the HLS folder of channel {ChannelId} ({Directory})")]
    private static partial void LogCleanupFailed(ILogger logger, Exception exception, string channelId, string directory);
}
