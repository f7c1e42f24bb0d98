using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Relay.Ingest.Egress.Rtmp;
using Relay.Ingest.Egress.Source;

namespace Relay.Ingest.Egress.Transcode;

/// <summary>
/// A destination that needs media changed: one ffmpeg per attempt, fed FLV on stdin from the destination's queue,
/// publishing itself. Stops in stages (stdin EOF, ~2 s, then kill of the whole tree) and keeps only the last lines
/// of stderr. TODO(merge ingest): run the process through the ingest's Ffmpeg/FfmpegProcess and registry.
/// </summary>
public sealed class FfmpegPusher(
    RtmpPushTarget target, EgressProfile? profile, EgressOptions options, RtmpPushSettings settings, TimeProvider time, ILogger logger) : IEgressPusher
{
    private static readonly byte[] FlvHeader = [(byte)'F', (byte)'L', (byte)'V', 1, 0x05, 0, 0, 0, 9, 0, 0, 0, 0];
    private const int StderrLines = 20;

    public async Task<EgressOutcome> RunAsync(IEgressFeed feed, IEgressPushObserver observer, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(options.FfmpegPath)
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = false,
            UseShellExecute = false,
        };
        foreach (var argument in FfmpegArguments.Build(target, profile))
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new EgressOutcome(EgressStage.Process, $"ffmpeg could not start: {ex.Message}");
        }

        var tail = new Queue<string>();
        var live = 0;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            if (e.Data.StartsWith("progress=", StringComparison.Ordinal))
            {
                if (Interlocked.Exchange(ref live, 1) == 0) observer.OnLive();
                return;
            }

            if (e.Data.Contains('=', StringComparison.Ordinal) && !e.Data.Contains(' ', StringComparison.Ordinal))
            {
                return; // the other -progress key=value lines
            }

            lock (tail)
            {
                tail.Enqueue(Redact(e.Data));
                if (tail.Count > StderrLines) tail.Dequeue();
            }
        };
        process.BeginErrorReadLine();
        logger.LogDebug("ffmpeg egress started (pid {Pid}) to {Target}", process.Id, target);

        using var exited = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var exitWatch = process.WaitForExitAsync(CancellationToken.None).ContinueWith(_ => exited.Cancel(), TaskScheduler.Default);
        var stdin = process.StandardInput.BaseStream;
        EgressOutcome outcome;
        try
        {
            outcome = await FeedAsync(stdin, feed, observer, exited.Token, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await StopAsync(process).ConfigureAwait(false);
            await exitWatch.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (outcome.Stage == EgressStage.Process || (outcome.Stage == EgressStage.Send && process.HasExited))
        {
            string last;
            lock (tail) last = tail.Count > 0 ? tail.Last() : "no output";
            var code = process.ExitCode;
            process.Dispose();
            return new EgressOutcome(EgressStage.Process, $"ffmpeg exited with code {code}: {last}");
        }

        process.Dispose();
        return outcome;
    }

    private async Task<EgressOutcome> FeedAsync(Stream stdin, IEgressFeed feed, IEgressPushObserver observer, CancellationToken exited, CancellationToken cancellationToken)
    {
        using var stall = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var writeToken = CancellationTokenSource.CreateLinkedTokenSource(exited, stall.Token);
        var buffer = new ArrayBufferWriter<byte>(128 * 1024);
        var sent = new List<(EgressFrame, int)>();
        try
        {
            await stdin.WriteAsync(FlvHeader, exited).ConfigureAwait(false);
            while (await feed.Frames.WaitToReadAsync(exited).ConfigureAwait(false))
            {
                buffer.ResetWrittenCount();
                sent.Clear();
                while (buffer.WrittenCount < settings.MaxBatchBytes && feed.Frames.TryRead(out var frame))
                {
                    var before = buffer.WrittenCount;
                    WriteTag(buffer, frame);
                    sent.Add((frame, buffer.WrittenCount - before));
                }

                stall.CancelAfter(settings.StallTimeout);
                await stdin.WriteAsync(buffer.WrittenMemory, writeToken.Token).ConfigureAwait(false);
                await stdin.FlushAsync(writeToken.Token).ConfigureAwait(false);
                if (!stall.TryReset())
                {
                    return new EgressOutcome(EgressStage.Stalled, $"stalled: ffmpeg accepted no input for {settings.StallTimeout.TotalSeconds:0.#} s");
                }

                foreach (var (frame, bytes) in sent)
                {
                    observer.OnSent(frame, bytes);
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
            return new EgressOutcome(EgressStage.Stalled, $"stalled: ffmpeg accepted no input for {settings.StallTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            return new EgressOutcome(EgressStage.Process, "ffmpeg exited");
        }
    }

    private static void WriteTag(ArrayBufferWriter<byte> buffer, EgressFrame frame)
    {
        var body = frame.Body.Span;
        var span = buffer.GetSpan(11);
        span[0] = frame.TagType;
        span[1] = (byte)(body.Length >> 16);
        span[2] = (byte)(body.Length >> 8);
        span[3] = (byte)body.Length;
        span[4] = (byte)(frame.Timestamp >> 16);
        span[5] = (byte)(frame.Timestamp >> 8);
        span[6] = (byte)frame.Timestamp;
        span[7] = (byte)(frame.Timestamp >> 24);
        span[8] = span[9] = span[10] = 0;
        buffer.Advance(11);
        buffer.Write(body);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.GetSpan(4), (uint)(11 + body.Length));
        buffer.Advance(4);
    }

    /// <summary>ffmpeg prints the output URL (with the key) in its errors.</summary>
    private string Redact(string line) => line.Replace(target.PublishName, UrlRedactor.Mask, StringComparison.Ordinal);

    /// <summary>stdin EOF lets ffmpeg flush and unpublish; after ~2 s the whole tree is killed.</summary>
    private static async Task StopAsync(Process process)
    {
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
        }

        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
