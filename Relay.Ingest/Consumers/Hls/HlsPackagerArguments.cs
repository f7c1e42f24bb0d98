using System.Globalization;

namespace Relay.Ingest.Consumers.Hls;

/// <summary>ffmpeg arguments of one channel's HLS packager: FLV on stdin, <c>-c copy</c> to MPEG-TS segments.</summary>
internal static class HlsPackagerArguments
{
    public static IReadOnlyList<string> For(string directory, HlsOptions options) =>
    [
        // The feed starts with the sequence headers and a keyframe, so a short probe finds both streams; the
        // default 5 s analyzeduration would hold the first segment back.
        "-probesize", "65536",
        "-analyzeduration", "500000",
        "-f", "flv",
        "-i", "pipe:0",
        "-map", "0:v?",
        "-map", "0:a?",
        "-c", "copy",
        "-f", "hls",
        "-hls_time", options.SegmentSeconds.ToString(CultureInfo.InvariantCulture),
        "-hls_list_size", options.PlaylistSize.ToString(CultureInfo.InvariantCulture),
        // Segments that just left the playlist stay a little: a player that read the previous playlist still gets them.
        "-hls_delete_threshold", "3",
        // temp_file: playlist and segments are written as .tmp and renamed, so a request never reads a half file.
        "-hls_flags", "delete_segments+independent_segments+omit_endlist+temp_file",
        // Sequence numbers from the clock: a restarted packager continues above the old numbers instead of
        // restarting at 0, which players would take for an old playlist.
        "-hls_start_number_source", "epoch",
        "-hls_segment_filename", Path.Combine(directory, HlsFileNames.SegmentPattern),
        Path.Combine(directory, HlsFileNames.Playlist),
    ];
}
