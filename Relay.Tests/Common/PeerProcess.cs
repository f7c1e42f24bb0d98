using System.Collections.Concurrent;
using System.Diagnostics;

namespace Relay.Tests.Common;

/// <summary>
/// A peer server or probe process started by a test. Disposal kills the whole tree and waits for it, so a failing
/// assertion never leaves nginx or ffmpeg behind; <see cref="Running"/> lets tests assert that.
/// </summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, PeerProcess> Alive = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private PeerProcess(Process process, string label)
    {
        Process = process;
        Label = label;
    }

    public Process Process { get; }

    public string Label { get; }

    public static IReadOnlyCollection<int> Running => Alive.Keys.Where(id => { try { return !Process.GetProcessById(id).HasExited; } catch (ArgumentException) { return false; } }).ToList();

    public string StderrTail => string.Join('\n', _stderr.TakeLast(30));

    public static PeerProcess Start(string label, string file, IEnumerable<string> arguments, string? workingDirectory = null, bool redirectStdout = false)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = redirectStdout,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var peer = new PeerProcess(process, label);
        Alive[process.Id] = peer;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                peer._stderr.Enqueue(e.Data);
                while (peer._stderr.Count > 200) peer._stderr.TryDequeue(out string? _);
            }
        };
        process.BeginErrorReadLine();
        return peer;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await Process.WaitForExitAsync(cts.Token);
        }
        catch (InvalidOperationException)
        {
        }
        finally
        {
            Alive.TryRemove(Process.Id, out _);
            Process.Dispose();
        }
    }

    /// <summary>Asks the process to end itself (SIGINT-like through stdin EOF for ffmpeg) and waits.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await Process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
