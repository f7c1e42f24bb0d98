using System.Diagnostics;
using Microsoft.Extensions.Options;
using Relay.Ingest.Configuration;

namespace Relay.Ingest.Ffmpeg;

/// <summary>
/// Answers "can this node start ffmpeg?" for <c>/readyz</c>: runs <c>ffmpeg -version</c> (a few ms) and caches the
/// answer briefly so a scraping load balancer does not fork a process per probe.
/// </summary>
public sealed class FfmpegReadinessProbe(IOptions<IngestOptions> options, TimeProvider time)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (FfmpegReadiness Result, DateTimeOffset At)? _cached;

    public async Task<FfmpegReadiness> CheckAsync(CancellationToken cancellationToken)
    {
        if (_cached is { } hit && time.GetUtcNow() - hit.At < CacheFor)
        {
            return hit.Result;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cached is { } again && time.GetUtcNow() - again.At < CacheFor)
            {
                return again.Result;
            }

            var result = await RunAsync(cancellationToken).ConfigureAwait(false);
            _cached = (result, time.GetUtcNow());
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<FfmpegReadiness> RunAsync(CancellationToken cancellationToken)
    {
        var path = options.Value.FfmpegPath;
        try
        {
            using var process = Process.Start(new ProcessStartInfo(path, "-hide_banner -version")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return new FfmpegReadiness(false, null, $"could not start '{path}'");
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var firstLine = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                return new FfmpegReadiness(false, null, $"'{path} -version' did not finish within 5 s");
            }

            return process.ExitCode == 0
                ? new FfmpegReadiness(true, firstLine, null)
                : new FfmpegReadiness(false, null, $"'{path} -version' exited with {process.ExitCode}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new FfmpegReadiness(false, null, $"cannot run ffmpeg at '{path}' (Relay:Ingest:FfmpegPath): {ex.Message}");
        }
    }
}
