using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Relay.Tests.Egress.Harness;

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

public static class FreePort
{
    private static readonly List<int> Handed = [];

    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        lock (Handed) Handed.Add(port);
        return port;
    }

    /// <summary>Ports handed out since <paramref name="mark"/> (tests check nothing still mentions them).</summary>
    public static int[] Since(int mark)
    {
        lock (Handed) return Handed.Skip(mark).ToArray();
    }

    public static int Mark
    {
        get { lock (Handed) return Handed.Count; }
    }

    /// <summary>
    /// Waits for a LISTEN socket on the port without connecting to it: ffmpeg's <c>-listen 1</c> serves exactly one
    /// connection, so a probing connect would use it up.
    /// </summary>
    public static async Task WaitListeningPassivelyAsync(int port, TimeSpan timeout, PeerProcess owner)
    {
        var needle = $":{port:X4} ";
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !owner.Process.HasExited)
        {
            var lines = (await File.ReadAllLinesAsync("/proc/net/tcp")).Concat(File.Exists("/proc/net/tcp6") ? await File.ReadAllLinesAsync("/proc/net/tcp6") : []);
            if (lines.Any(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var local, _, "0A", ..] && (local + " ").EndsWith(needle, StringComparison.Ordinal)))
            {
                return;
            }

            await Task.Delay(30);
        }

        throw new InvalidOperationException($"nothing listens on {port}\n{owner.StderrTail}");
    }

    public static async Task WaitListeningAsync(int port, TimeSpan timeout, PeerProcess? owner = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && owner?.Process.HasExited != true)
            {
                await Task.Delay(50);
            }
            catch (SocketException ex)
            {
                throw new InvalidOperationException($"nothing listens on {port}: {ex.SocketErrorCode}\n{owner?.StderrTail}");
            }
        }
    }
}

public static class Tools
{
    public static bool Exists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, name)));

    public static void RequireOrSkip(params string[] names)
    {
        foreach (var name in names)
        {
            if (!Exists(name))
            {
                Assert.Skip($"{name} is not installed (see docs/egress.md, test prerequisites)");
            }
        }
    }

    public static async Task<string> RunAsync(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }
}
