using System.Diagnostics;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Common.Peers;

/// <summary>ffmpeg processes as RTMP peers: a listener sink and a player pulling from a server, both writing FLV to stdout.</summary>
public static class FfmpegPeers
{
    /// <summary>
    /// <c>ffmpeg -listen 1</c> as an RTMP server that accepts one publisher and copies what it receives to stdout
    /// (with <c>-copyts</c> so the recorded timestamps are the ones the pusher sent).
    /// </summary>
    public static PeerProcess StartListener(int port, string app = "live", string key = "sinkkey") =>
        PeerProcess.Start("ffmpeg-listener", "ffmpeg",
        [
            "-nostdin", "-nostats", "-loglevel", "warning", "-listen", "1", "-timeout", "30",
            "-i", $"rtmp://127.0.0.1:{port}/{app}/{key}",
            "-c", "copy", "-copyts", "-flush_packets", "1", "-f", "flv", "pipe:1",
        ], redirectStdout: true);

    /// <summary>An RTMP player pulling a stream from a server and copying it to stdout.</summary>
    public static PeerProcess StartPlayer(string url) =>
        PeerProcess.Start("ffmpeg-player", "ffmpeg",
        [
            "-nostdin", "-nostats", "-loglevel", "warning", "-rw_timeout", "30000000",
            "-i", url, "-c", "copy", "-copyts", "-flush_packets", "1", "-f", "flv", "pipe:1",
        ], redirectStdout: true);

    public static FlvSinkRecorder Record(PeerProcess process, Stopwatch clock, string path) =>
        new(process.Process.StandardOutput.BaseStream, clock, path);

    /// <summary>ffprobe's view of a recording: codec name, width, height per stream.</summary>
    public static async Task<List<(string Type, string Codec, int Width, int Height)>> ProbeAsync(string path)
    {
        var output = await Tools.RunAsync("ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name,width,height", "-of", "csv=p=0", path);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(','))
            .Select(f => (f[1], f[0], f.Length > 2 && int.TryParse(f[2], out var w) ? w : 0, f.Length > 3 && int.TryParse(f[3], out var h) ? h : 0))
            .ToList();
    }
}
