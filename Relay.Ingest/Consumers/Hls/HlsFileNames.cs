using System.Text.RegularExpressions;

namespace Relay.Ingest.Consumers.Hls;

/// <summary>
/// The only names the HLS endpoints serve. Names come from the URL, so they are matched against what the packager
/// writes (never joined to a path unchecked): no separators, no dots beyond the extension, no temp files.
/// </summary>
public static partial class HlsFileNames
{
    public const string Playlist = "index.m3u8";

    /// <summary>ffmpeg's <c>-hls_segment_filename</c> pattern; the number is the media sequence number.</summary>
    internal const string SegmentPattern = "seg-%d.ts";

    public static bool IsSegment(string? name) => name is not null && SegmentName().IsMatch(name);

    [GeneratedRegex(@"^seg-[0-9]{1,20}\.ts$", RegexOptions.CultureInvariant)]
    private static partial Regex SegmentName();
}
