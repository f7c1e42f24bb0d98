using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Ingest.Configuration;
using Relay.Ingest.Diagnostics;

namespace Relay.Ingest.Ffmpeg;

/// <summary>
/// Starts and tracks every ffmpeg child of this Relay instance (ingest, egress, HLS). Each child gets an
/// environment marker derived from the data directory and a PID file under <c>DataDir/run</c>; at start the
/// registry kills children a crashed predecessor left behind (found by PID file or, on Linux, by the marker in
/// <c>/proc/*/environ</c>, which survives PID reuse checks), and at shutdown it stops and awaits all of them.
/// </summary>
public sealed partial class FfmpegProcessRegistry : IHostedService
{
    internal const string OwnerEnvironmentVariable = "RELAY_FFMPEG_OWNER";

    private readonly ConcurrentDictionary<int, FfmpegProcess> _processes = new();
    private readonly ILogger<FfmpegProcessRegistry> _logger;
    private readonly string _ffmpegPath;
    private readonly string _runDirectory;
    private long _startedCount;

    public FfmpegProcessRegistry(IOptions<IngestOptions> options, ILogger<FfmpegProcessRegistry> logger)
    {
        _logger = logger;
        _ffmpegPath = options.Value.FfmpegPath;
        _runDirectory = Path.Combine(Path.GetFullPath(options.Value.DataDir), "run");
        OwnerMarker = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(_runDirectory)))[..16];
    }

    /// <summary>Identifies this instance's children (same data directory = same owner).</summary>
    public string OwnerMarker { get; }

    internal IReadOnlyCollection<FfmpegProcess> Running => [.. _processes.Values];

    /// <summary>Children started since this registry was created (tests check junk connections start none).</summary>
    internal long StartedCount => Interlocked.Read(ref _startedCount);

    /// <summary>Starts ffmpeg with <c>-hide_banner -nostats -loglevel warning</c> plus the given arguments.</summary>
    /// <exception cref="InvalidOperationException">ffmpeg could not be started (missing binary, no permission).</exception>
    public FfmpegProcess Start(FfmpegStartInfo info)
    {
        var startInfo = new ProcessStartInfo(_ffmpegPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var argument in (string[])["-hide_banner", "-nostats", "-loglevel", "warning"])
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var argument in info.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment[OwnerEnvironmentVariable] = OwnerMarker;

        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException("Process.Start returned null");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            IngestMetrics.FfmpegExits.WithLabels(info.Role, "start_failed").Inc();
            throw new InvalidOperationException($"could not start ffmpeg at '{_ffmpegPath}': {ex.Message}", ex);
        }

        Interlocked.Increment(ref _startedCount);
        var child = new FfmpegProcess(process, info, _logger);
        _processes[child.Pid] = child;
        WritePidFile(child.Pid);
        IngestMetrics.FfmpegProcesses.WithLabels(info.Role).Inc();
        LogStarted(_logger, info.Role, child.Pid);
        _ = ForgetOnExitAsync(child);
        return child;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ReapLeftovers();
        return Task.CompletedTask;
    }

    /// <summary>Stops every child (staged) and waits for all of them.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_processes.Values.Select(p => p.StopAsync(FfmpegProcess.DefaultStopGrace, CancellationToken.None))).ConfigureAwait(false);
    }

    internal void ReapLeftovers()
    {
        var candidates = new HashSet<int>();
        if (Directory.Exists(_runDirectory))
        {
            foreach (var file in Directory.EnumerateFiles(_runDirectory, "ffmpeg-*.pid"))
            {
                if (int.TryParse(Path.GetFileNameWithoutExtension(file)["ffmpeg-".Length..], out var pid))
                {
                    candidates.Add(pid);
                }

                TryDelete(file);
            }
        }

        if (OperatingSystem.IsLinux())
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(dir), out var pid))
                {
                    candidates.Add(pid);
                }
            }
        }

        foreach (var pid in candidates)
        {
            if (pid == Environment.ProcessId || _processes.ContainsKey(pid) || !IsOurLeftover(pid))
            {
                continue;
            }

            try
            {
                using var leftover = Process.GetProcessById(pid);
                leftover.Kill(entireProcessTree: true);
                LogReaped(_logger, pid);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone already, or not ours to kill.
            }
        }
    }

    private bool IsOurLeftover(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                var environ = File.ReadAllText($"/proc/{pid}/environ");
                return environ.Contains($"{OwnerEnvironmentVariable}={OwnerMarker}\0", StringComparison.Ordinal)
                    || environ.EndsWith($"{OwnerEnvironmentVariable}={OwnerMarker}", StringComparison.Ordinal);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }

        // Elsewhere only PID files are candidates; check the name so a reused PID is not killed.
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.ProcessName.StartsWith("ffmpeg", StringComparison.OrdinalIgnoreCase);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private async Task ForgetOnExitAsync(FfmpegProcess child)
    {
        var outcome = await child.Exited.ConfigureAwait(false);
        _processes.TryRemove(child.Pid, out _);
        TryDelete(PidFile(child.Pid));
        IngestMetrics.FfmpegProcesses.WithLabels(child.Role).Dec();
        IngestMetrics.FfmpegExits.WithLabels(child.Role, outcome.ToString().ToLowerInvariant()).Inc();
        LogExited(_logger, child.Role, child.Pid, outcome, child.ExitCode);
    }

    private void WritePidFile(int pid)
    {
        try
        {
            Directory.CreateDirectory(_runDirectory);
            File.WriteAllText(PidFile(pid), OwnerMarker);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The /proc marker still finds the child on Linux; a missing PID file only weakens reaping elsewhere.
        }
    }

    private string PidFile(int pid) => Path.Combine(_runDirectory, $"ffmpeg-{pid}.pid");

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    [LoggerMessage(EventId = EventIds.FfmpegStarted, Level = LogLevel.Debug, Message = "Started ffmpeg {Role} [{Pid}]")]
    private static partial void LogStarted(ILogger logger, string role, int pid);

    [LoggerMessage(EventId = EventIds.FfmpegExited, Level = LogLevel.Debug, Message = "ffmpeg {Role} [{Pid}] exited: {Outcome} (code {ExitCode})")]
    private static partial void LogExited(ILogger logger, string role, int pid, FfmpegExitOutcome outcome, int? exitCode);

    [LoggerMessage(EventId = EventIds.FfmpegReaped, Level = LogLevel.Warning, Message = "Killed leftover ffmpeg [{Pid}] from a previous run")]
    private static partial void LogReaped(ILogger logger, int pid);
}
