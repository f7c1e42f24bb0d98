using System.Diagnostics;

namespace Relay.Tests.Common.Media;

/// <summary>A real ffmpeg publishing testsrc2 + sine as H.264/AAC over RTMP, killed on dispose.</summary>
internal sealed class FfmpegPublisher : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _stderr = [];

    private FfmpegPublisher(Process process)
    {
        _process = process;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.Add(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Stderr
    {
        get { lock (_stderr) return string.Join('\n', _stderr); }
    }

    public static FfmpegPublisher Start(string url, double seconds = 30, string size = "640x360", string? extraVideoArgs = null, string format = "flv")
    {
        var args = $"-hide_banner -nostats -loglevel warning -re -f lavfi -i testsrc2=size={size}:rate=30 -f lavfi -i sine=frequency=440:sample_rate=44100 "
            + $"-t {seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} -c:v libx264 -preset ultrafast -tune zerolatency -g 60 {extraVideoArgs} -c:a aac -f {format} {url}";
        var info = new ProcessStartInfo("ffmpeg", args) { RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        return new FfmpegPublisher(Process.Start(info)!);
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
