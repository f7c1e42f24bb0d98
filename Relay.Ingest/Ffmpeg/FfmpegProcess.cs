using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Relay.Ingest.Diagnostics;

namespace Relay.Ingest.Ffmpeg;

/// <summary>
/// One ffmpeg child whose <see cref="Process"/> Relay owns: PID known, stdout/stdin available as streams,
/// stderr kept as a bounded tail, stopped in stages (stdin EOF or 'q', a grace period, then a tree kill).
/// Created by <see cref="FfmpegProcessRegistry.Start"/>, which tracks it until it exits.
/// </summary>
public sealed partial class FfmpegProcess : IAsyncDisposable
{
    public static readonly TimeSpan DefaultStopGrace = TimeSpan.FromSeconds(2);

    private readonly Process _process;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource<FfmpegExitOutcome> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<string, string?>? _stderrFilter;
    private readonly bool _stdinIsMedia;
    private int _killRequested;

    internal FfmpegProcess(Process process, FfmpegStartInfo info, ILogger logger)
    {
        _process = process;
        _logger = logger;
        _stderrFilter = info.StderrFilter;
        _stdinIsMedia = info.StdinIsMedia;
        Role = info.Role;
        Pid = process.Id;
        _ = PumpStderrAsync();
        _ = WatchExitAsync();
    }

    public string Role { get; }

    public int Pid { get; }

    public StderrTail Stderr { get; } = new();

    /// <summary>ffmpeg's stdout (e.g. the FLV an ingest process remuxes to).</summary>
    public Stream StandardOutput => _process.StandardOutput.BaseStream;

    /// <summary>ffmpeg's stdin (media for an egress process fed from a queue).</summary>
    public Stream StandardInput => _process.StandardInput.BaseStream;

    /// <summary>Completes when the process has exited, with how it ended.</summary>
    public Task<FfmpegExitOutcome> Exited => _exited.Task;

    public bool HasExited => _exited.Task.IsCompleted;

    public int? ExitCode => HasExited ? _process.ExitCode : null;

    /// <summary>Staged stop: stdin EOF (or 'q'), wait <paramref name="grace"/>, then kill the process tree.</summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken = default)
    {
        if (HasExited)
        {
            return;
        }

        try
        {
            if (!_stdinIsMedia)
            {
                await StandardInput.WriteAsync("q"u8.ToArray(), cancellationToken).ConfigureAwait(false);
                await StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            StandardInput.Close();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // stdin already gone: the process is exiting anyway; the kill below covers it.
        }

        try
        {
            await Exited.WaitAsync(grace, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Kill();
            await Exited.ConfigureAwait(false);
        }
    }

    /// <summary>Kills the process and its children at once (connection gone, shutdown, crash handling).</summary>
    public void Kill()
    {
        Interlocked.Exchange(ref _killRequested, 1);
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or NotSupportedException)
        {
            LogKillFailed(_logger, ex, Role, Pid);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(DefaultStopGrace).ConfigureAwait(false);
        _process.Dispose();
    }

    private async Task PumpStderrAsync()
    {
        try
        {
            string? suppressedPrevious = null;
            while (await _process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                // ffmpeg folds repeats into "Last message repeated N times"; drop it when the repeated line was dropped.
                if (suppressedPrevious is not null && line.TrimStart().StartsWith("Last message repeated", StringComparison.Ordinal))
                {
                    continue;
                }

                var kept = _stderrFilter is null ? line : _stderrFilter(line);
                suppressedPrevious = kept is null ? line : null;
                if (kept is null || kept.Length == 0)
                {
                    continue;
                }

                Stderr.Add(kept);
                LogStderr(_logger, Role, Pid, kept);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The pipe closed with the process.
        }
    }

    private async Task WatchExitAsync()
    {
        try
        {
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
        }

        int code;
        try
        {
            code = _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            code = -1;
        }

        // 255 is what ffmpeg returns after SIGTERM/'q' interruption; >128 is a signal on Unix.
        var outcome = Volatile.Read(ref _killRequested) == 1 || code is 137 or -1 || (OperatingSystem.IsLinux() && code > 128 && code != 255)
            ? FfmpegExitOutcome.Killed
            : code == 0 ? FfmpegExitOutcome.Clean : FfmpegExitOutcome.Error;
        _exited.TrySetResult(outcome);
    }

    [LoggerMessage(EventId = EventIds.FfmpegStderr, Level = LogLevel.Debug, Message = "ffmpeg {Role} [{Pid}]: {Line}")]
    private static partial void LogStderr(ILogger logger, string role, int pid, string line);

    [LoggerMessage(EventId = EventIds.FfmpegKillFailed, Level = LogLevel.Warning, Message = "Could not kill ffmpeg {Role} [{Pid}]")]
    private static partial void LogKillFailed(ILogger logger, Exception exception, string role, int pid);
}
