using System.Globalization;

namespace Relay.Ingest.Gateway;

/// <summary>
/// The ffmpeg command of one ingest: an RTMP listener on a loopback port that remuxes to FLV on stdout.
/// Measured on ffmpeg 5.1 (testsrc2 640x360 + AAC, see docs/ingest.md): defaults give the first FLV byte ~1.7 s
/// after publish; a 32 KiB probe and 0.3 s analysis give ~0.45 s with both streams found. <c>-fflags nobuffer</c>
/// was tried and rejected: the H.264 stream lost its size and the remux dropped the video.
/// </summary>
internal static class IngestListenerArguments
{
    /// <summary>Publish name ffmpeg expects; the real key never reaches its command line.</summary>
    public const string ListenerStreamName = "relay";

    public static IReadOnlyList<string> Build(int port, string app, double listenTimeoutSeconds) =>
    [
        "-probesize", "32768",
        "-analyzeduration", "300000",
        "-listen", "1",
        // Safety net: a listener nobody connects to gives up on its own even if Relay died before killing it.
        "-timeout", ((int)Math.Ceiling(listenTimeoutSeconds)).ToString(CultureInfo.InvariantCulture),
        "-i", $"rtmp://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/{app}/{ListenerStreamName}",
        "-map", "0",
        "-c", "copy",
        "-flush_packets", "1",
        "-flvflags", "no_duration_filesize",
        "-f", "flv",
        "pipe:1",
    ];
}
