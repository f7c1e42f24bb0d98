using System.IO.Pipelines;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Relay.Ingest.Egress.Rtmp;
using Relay.Ingest.Egress.Source;
using Relay.Ingest.Ffmpeg;
using Relay.Ingest.Media;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Egress.Transcode;

/// <summary>
/// A destination whose profile changes the media, or one with <c>engine: ffmpeg</c> (no profile: ffmpeg remuxes with
/// <c>-c copy</c>): one ffmpeg per attempt turns the destination's queue (FLV on stdin) into the profile's output (FLV
/// on stdout), and the native <see cref="RtmpPusher"/> publishes that. ffmpeg never
/// sees the destination, so the stream key stays off the process list, rtmps certificates are verified like every
/// native push, and the destination reads live when the platform accepted the publish, not when ffmpeg started.
/// </summary>
public sealed class TranscodingPusher(
    RtmpPushTarget target, EgressProfile? profile, FfmpegProcessRegistry processes, RtmpPushSettings settings, TimeProvider time, ILogger logger) : IEgressPusher
{
    /// <summary>Transcoded tags waiting for the push; when full, ffmpeg's stdout (and then its stdin) backs up.</summary>
    private const int OutputQueueTags = 1024;

    /// <summary>Largest tag accepted from ffmpeg's output.</summary>
    private const int MaxTagSize = 16 * 1024 * 1024;

    public async Task<EgressOutcome> RunAsync(IEgressFeed feed, PushCounters counters, CancellationToken cancellationToken)
    {
        FfmpegProcess process;
        try
        {
            process = processes.Start(new FfmpegStartInfo("egress", FfmpegArguments.BuildTranscode(profile), StdinIsMedia: true));
        }
        catch (InvalidOperationException ex)
        {
            return new EgressOutcome(EgressStage.Process, ex.Message);
        }

        logger.LogDebug("ffmpeg transcoder started (pid {Pid}) for {Target}", process.Pid, target);
        await using (process.ConfigureAwait(false))
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var output = new OutputFeed();
            var reading = ReadOutputAsync(process, output, stop.Token);
            var push = new RtmpPusher(target, settings, time, logger).RunAsync(output, counters, stop.Token);
            var input = FfmpegStdinFeeder.FeedAsync(process.StandardInput, feed, settings.StallTimeout, settings.MaxBatchBytes, stop.Token, cancellationToken);

            var first = await Task.WhenAny(input, push).ConfigureAwait(false);
            EgressOutcome outcome;
            if (first == input && input.Result.Stage == EgressStage.SourceEnded)
            {
                // The channel ended: let ffmpeg flush what it has (closing stdin ends it), then the push ends with it.
                await process.StopAsync(FfmpegProcess.DefaultStopGrace, CancellationToken.None).ConfigureAwait(false);
                await Task.WhenAny(push, Task.Delay(settings.SetupTimeout, CancellationToken.None)).ConfigureAwait(false);
                outcome = EgressOutcome.Ended;
            }
            else if (first == input)
            {
                outcome = cancellationToken.IsCancellationRequested ? EgressOutcome.Canceled : await ProcessOutcomeAsync(process, input.Result).ConfigureAwait(false);
            }
            else if (push.Result.Stage == EgressStage.SourceEnded && !cancellationToken.IsCancellationRequested)
            {
                // The push ran out of transcoded media while the channel is still live: ffmpeg died or gave up.
                outcome = await ProcessOutcomeAsync(process, new EgressOutcome(EgressStage.Process, "ffmpeg output ended")).ConfigureAwait(false);
            }
            else
            {
                outcome = push.Result;
            }

            await stop.CancelAsync().ConfigureAwait(false);
            await process.StopAsync(FfmpegProcess.DefaultStopGrace, CancellationToken.None).ConfigureAwait(false);
            await Task.WhenAll(input, push, reading).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return outcome;
        }
    }

    private static async Task<EgressOutcome> ProcessOutcomeAsync(FfmpegProcess process, EgressOutcome fallback)
    {
        if (fallback.Stage != EgressStage.Process)
        {
            return fallback; // a stall says more than the exit it causes
        }

        // Give a dying ffmpeg a moment so its exit code and last words are known.
        await Task.WhenAny(process.Exited, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None)).ConfigureAwait(false);
        if (!process.HasExited)
        {
            return fallback;
        }

        return FfmpegStdinFeeder.Exited(process);
    }

    private static async Task ReadOutputAsync(FfmpegProcess process, OutputFeed output, CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(process.StandardOutput, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        try
        {
            await foreach (var tag in FlvTagReader.ReadTagsAsync(reader, MaxTagSize, cancellationToken).ConfigureAwait(false))
            {
                await output.WriteAsync(tag, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidDataException or ObjectDisposedException)
        {
            // The outcome comes from the process or the push; a torn output just ends the feed.
        }
        finally
        {
            output.Complete();
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>ffmpeg's output as the push's feed: bounded, so a slow destination backs up into ffmpeg.</summary>
    private sealed class OutputFeed : IEgressFeed
    {
        private readonly Channel<FlvTag> _queue = Channel.CreateBounded<FlvTag>(new BoundedChannelOptions(OutputQueueTags)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        private readonly QueuedByteCount _queuedBytes = new();

        public OutputFeed() => Frames = new ByteCountingReader(_queue.Reader, _queuedBytes);

        public ChannelReader<FlvTag> Frames { get; }

        public long DroppedFrames => 0;

        public long QueuedBytes => _queuedBytes.Value;

        public async ValueTask WriteAsync(FlvTag tag, CancellationToken cancellationToken)
        {
            await _queue.Writer.WriteAsync(tag, cancellationToken).ConfigureAwait(false);
            _queuedBytes.Add(tag.Serialized.Length);
        }

        public void Complete() => _queue.Writer.TryComplete();

        public void Dispose() => _queue.Writer.TryComplete();
    }
}
