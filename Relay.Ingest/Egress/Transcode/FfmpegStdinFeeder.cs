using System.Buffers;
using Relay.Ingest.Egress.Source;
using Relay.Ingest.Media;

namespace Relay.Ingest.Egress.Transcode;

/// <summary>What both ffmpeg egress engines share: feeding the destination's queue into stdin, and the outcome of an exit.</summary>
internal static class FfmpegStdinFeeder
{
    /// <summary>Writes the feed to ffmpeg's stdin as an FLV stream until the feed ends, ffmpeg goes, or it stops taking input.</summary>
    public static async Task<EgressOutcome> FeedAsync(Stream stdin, IEgressFeed feed, TimeSpan stallTimeout, int maxBatchBytes, CancellationToken exited, CancellationToken cancellationToken)
    {
        using var stall = new CancellationTokenSource(Timeout.InfiniteTimeSpan);
        using var writeToken = CancellationTokenSource.CreateLinkedTokenSource(exited, stall.Token);
        var buffer = new ArrayBufferWriter<byte>(128 * 1024);
        try
        {
            await stdin.WriteAsync(FlvTagReader.AudioVideoFileHeader.ToArray(), exited).ConfigureAwait(false);
            while (await feed.Frames.WaitToReadAsync(exited).ConfigureAwait(false))
            {
                buffer.ResetWrittenCount();
                while (buffer.WrittenCount < maxBatchBytes && feed.Frames.TryRead(out var tag))
                {
                    buffer.Write(tag.Serialized.Span);
                }

                stall.CancelAfter(stallTimeout);
                await stdin.WriteAsync(buffer.WrittenMemory, writeToken.Token).ConfigureAwait(false);
                await stdin.FlushAsync(writeToken.Token).ConfigureAwait(false);
                if (!stall.TryReset())
                {
                    return Stalled(stallTimeout);
                }
            }

            return EgressOutcome.Ended;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return EgressOutcome.Canceled;
        }
        catch (OperationCanceledException) when (stall.IsCancellationRequested && !exited.IsCancellationRequested)
        {
            return Stalled(stallTimeout);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            return new EgressOutcome(EgressStage.Process, "ffmpeg exited");
        }
    }

    /// <summary>How an ended egress ffmpeg is reported: its exit code and the last thing it said.</summary>
    public static EgressOutcome Exited(Ffmpeg.FfmpegProcess process) =>
        new(EgressStage.Process, $"ffmpeg exited with code {process.ExitCode}: {process.Stderr.Lines.LastOrDefault() ?? "no output"}");

    private static EgressOutcome Stalled(TimeSpan stallTimeout) =>
        new(EgressStage.Stalled, $"stalled: ffmpeg accepted no input for {stallTimeout.TotalSeconds:0.#} s");
}
