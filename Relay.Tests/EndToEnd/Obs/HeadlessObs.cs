using System.Diagnostics;
using Relay.Tests.Common;

namespace Relay.Tests.EndToEnd.Obs;

/// <summary>Whether Debian's <c>obs-studio</c> and <c>xvfb</c> are installed; tests skip with the install command otherwise.</summary>
internal static class ObsAvailability
{
    public static string? Obs { get; } = Tools.Find("obs");

    public static string? Xvfb { get; } = Tools.Find("Xvfb");

    public static void SkipIfMissing()
    {
        var missing = new List<string>();
        if (Obs is null)
        {
            missing.Add("obs (package obs-studio)");
        }

        if (Xvfb is null)
        {
            missing.Add("Xvfb (package xvfb)");
        }

        if (missing.Count > 0)
        {
            Assert.Skip($"not on PATH: {string.Join(", ", missing)}; install with apt-get install obs-studio obs-plugins xvfb (./test.sh and .ci/run do as root)");
        }
    }
}

/// <summary>
/// A virtual X display (Xvfb, display number chosen by Xvfb itself through <c>-displayfd</c>, so parallel runs never
/// collide). OpenGL comes from Mesa's llvmpipe; OBS 29 uses EGL on X11.
/// </summary>
internal sealed class VirtualDisplay : IDisposable
{
    private readonly Process _xvfb;

    private VirtualDisplay(Process xvfb, string display)
    {
        _xvfb = xvfb;
        Display = display;
    }

    public string Display { get; }

    public int Pid => _xvfb.Id;

    public static async Task<VirtualDisplay> StartAsync(string ownerMarker, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(ObsAvailability.Xvfb!, "-displayfd 1 -screen 0 1280x720x24 -nolisten tcp -noreset")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment[HeadlessObs.OwnerVariable] = ownerMarker;
        var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            // Xvfb writes the display number to the -displayfd descriptor once it accepts connections.
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            if (!int.TryParse(line, out var number))
            {
                throw new InvalidOperationException($"Xvfb did not report a display: {(process.HasExited ? await stderr : "(still running)")}");
            }

            return new VirtualDisplay(process, $":{number}");
        }
        catch
        {
            Kill(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>SIGTERM first, so Xvfb removes its lock file and socket; SIGKILL if it does not exit within 2 s.</summary>
    public void Dispose()
    {
        try
        {
            if (!_xvfb.HasExited && Terminate(_xvfb.Id, 15) == 0)
            {
                _xvfb.WaitForExit(2000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        Kill(_xvfb);
        _xvfb.Dispose();
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Terminate(int pid, int signal);

    internal static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
    }
}

/// <summary>
/// One real OBS Studio instance streaming from its own configuration tree (<see cref="ObsProfile"/>) on a virtual
/// display:
/// <code>
/// HOME=$T XDG_CONFIG_HOME=$T/config DISPLAY=:N LIBGL_ALWAYS_SOFTWARE=1 QT_QPA_PLATFORM=xcb \
///   obs --startstreaming --minimize-to-tray --multi --disable-updater --disable-missing-files-check
/// </code>
/// OBS logs to stdout; every line is kept with the time it arrived. Dispose kills OBS's process tree.
/// </summary>
internal sealed class HeadlessObs : IDisposable
{
    /// <summary>Carried by Xvfb, OBS and anything they start, so a test can prove none of them outlived it.</summary>
    public const string OwnerVariable = "RELAY_OBS_TEST_OWNER";

    public const string Arguments = "--startstreaming --minimize-to-tray --multi --disable-updater --disable-missing-files-check";

    private readonly Process _obs;
    private readonly List<(TimeSpan At, string Line)> _lines = [];
    private readonly Stopwatch _clock;
    private TaskCompletionSource _lineArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HeadlessObs(Process obs, Stopwatch clock)
    {
        _obs = obs;
        _clock = clock;
        obs.OutputDataReceived += (_, e) => Add(e.Data);
        obs.ErrorDataReceived += (_, e) => Add(e.Data);
        obs.BeginOutputReadLine();
        obs.BeginErrorReadLine();
    }

    public int Pid => _obs.Id;

    /// <summary><see cref="Stopwatch.GetTimestamp"/> just before the process was started.</summary>
    public long StartedAt { get; private init; }

    public bool HasExited => _obs.HasExited;

    /// <summary>Time from the process start to now.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    public string Log
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines.Select(l => $"[{l.At.TotalMilliseconds,6:F0} ms] {l.Line}"));
            }
        }
    }

    /// <summary>Writes the profile under <paramref name="home"/> and starts OBS on <paramref name="display"/>.</summary>
    public static HeadlessObs Start(string home, VirtualDisplay display, ObsStreamSettings settings, string ownerMarker)
    {
        var config = Path.Combine(home, "config");
        ObsProfile.Write(config, settings);
        var info = new ProcessStartInfo(ObsAvailability.Obs!, Arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = home,
        };
        info.Environment["HOME"] = home;
        info.Environment["XDG_CONFIG_HOME"] = config;
        info.Environment["DISPLAY"] = display.Display;
        info.Environment["LIBGL_ALWAYS_SOFTWARE"] = "1";
        info.Environment["QT_QPA_PLATFORM"] = "xcb";
        info.Environment.Remove("WAYLAND_DISPLAY");
        info.Environment.Remove("XAUTHORITY");
        info.Environment.Remove("DBUS_SESSION_BUS_ADDRESS");
        info.Environment[OwnerVariable] = ownerMarker;
        var startedAt = Stopwatch.GetTimestamp();
        var clock = Stopwatch.StartNew();
        return new HeadlessObs(Process.Start(info)!, clock) { StartedAt = startedAt };
    }

    /// <summary>Waits for a log line containing <paramref name="text"/>; returns when it arrived (since start).</summary>
    public async Task<TimeSpan> WaitForLineAsync(string text, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        while (true)
        {
            Task arrived;
            lock (_lines)
            {
                foreach (var (at, line) in _lines)
                {
                    if (line.Contains(text, StringComparison.Ordinal))
                    {
                        return at;
                    }
                }

                arrived = _lineArrived.Task;
            }

            if (_obs.HasExited)
            {
                Assert.Fail($"OBS exited ({_obs.ExitCode}) before logging \"{text}\":\n{Log}");
            }

            try
            {
                await arrived.WaitAsync(TimeSpan.FromMilliseconds(500), cts.Token);
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Assert.Fail($"OBS did not log \"{text}\" within {timeout.TotalSeconds:F0} s:\n{Log}");
            }
        }
    }

    public bool Logged(string text)
    {
        lock (_lines)
        {
            return _lines.Any(l => l.Line.Contains(text, StringComparison.Ordinal));
        }
    }

    public void Dispose()
    {
        VirtualDisplay.Kill(_obs);
        _obs.Dispose();
    }

    /// <summary>Live (non-zombie) processes carrying <see cref="OwnerVariable"/>=<paramref name="ownerMarker"/>.</summary>
    public static IReadOnlyList<string> ProcessesOwnedBy(string ownerMarker)
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _))
            {
                continue;
            }

            try
            {
                var environ = File.ReadAllText(Path.Combine(dir, "environ"));
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                if (environ.Split('\0').Contains($"{OwnerVariable}={ownerMarker}") && !stat.Contains(") Z ", StringComparison.Ordinal))
                {
                    found.Add($"{Path.GetFileName(dir)} {stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')]}");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        TaskCompletionSource arrived;
        lock (_lines)
        {
            _lines.Add((_clock.Elapsed, line));
            arrived = _lineArrived;
            _lineArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        arrived.TrySetResult();
    }
}
