using Microsoft.Extensions.Logging;
using Relay.Ingest.Egress.Rtmp;
using Relay.Ingest.Egress.Source;
using Relay.Ingest.Ffmpeg;
using Relay.Ingest.Flv;

namespace Relay.Ingest.Egress.Transcode;

/// <summary>
/// A destination that needs media changed: one ffmpeg per attempt (started through the ingest's
/// <see cref="FfmpegProcessRegistry"/>, role <c>egress</c>, so it is reaped and awaited like every child), fed FLV on
/// stdin from the destination's queue, publishing itself. The first <c>-progress</c> report means the output is
/// open and moving: that is when the destination reads live.
/// </summary>
public sealed class FfmpegPusher(
    RtmpPushTarget target, EgressProfile? profile, FfmpegProcessRegistry processes, RtmpPushSettings settings, ILogger logger) : IEgressPusher
{
    public async Task<EgressOutcome> RunAsync(IEgressFeed feed, IEgressPushObserver observer, CancellationToken cancellationToken)
    {
        var live = 0;
        string? Filter(string line)
        {
            if (line.StartsWith("progress=", StringComparison.Ordinal))
            {
                if (Interlocked.Exchange(ref live, 1) == 0) observer.OnLive();
                return null;
            }

            // The other -progress key=value lines carry nothing an operator needs.
            if (line.Contains('=', StringComparison.Ordinal) && !line.Contains(' ', StringComparison.Ordinal)) return null;

            // ffmpeg prints the output URL, key included, in its errors.
            return line.Replace(target.PublishName, UrlRedactor.Mask, StringComparison.Ordinal);
        }

        FfmpegProcess process;
        try
        {
            process = processes.Start(new FfmpegStartInfo("egress", FfmpegArguments.Build(target, profile), StdinIsMedia: true, StderrFilter: Filter));
        }
        catch (InvalidOperationException ex)
        {
            return new EgressOutcome(EgressStage.Process, ex.Message);
        }

        logger.LogDebug("ffmpeg egress started (pid {Pid}) to {Target}", process.Pid, target);
        EgressOutcome outcome;
        await using (process.ConfigureAwait(false))
        {
            using var exited = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            // Not disposed: Exited completes its continuations asynchronously, so when the feed fails first (broken
            // pipe of a killed ffmpeg) this continuation may still be queued at the end of the block, and disposing an
            // unfinished task throws, which lost the outcome (no reconnect counted, "supervisor loop crashed").
            // For the same reason it may run after the source is disposed.
            _ = process.Exited.ContinueWith(static (_, state) =>
            {
                try
                {
                    ((CancellationTokenSource)state!).Cancel();
                }
                catch (ObjectDisposedException)
                {
                }
            }, exited, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            outcome = await FfmpegStdinFeeder.FeedAsync(process.StandardInput, feed, observer, settings.StallTimeout, settings.MaxBatchBytes, exited.Token, cancellationToken).ConfigureAwait(false);
            await process.StopAsync(FfmpegProcess.DefaultStopGrace, CancellationToken.None).ConfigureAwait(false);
            if (outcome.Stage == EgressStage.Process)
            {
                return FfmpegStdinFeeder.Exited(process);
            }
        }

        return outcome;
    }

}
