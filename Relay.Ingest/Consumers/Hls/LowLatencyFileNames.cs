using System.Globalization;

namespace Relay.Ingest.Consumers.Hls;

/// <summary>The names of the LL-HLS files under <c>/live/{channelId}/ll/</c>, and reading them back from a request.</summary>
internal static class LowLatencyFileNames
{
    public const string Playlist = "index.m3u8";

    public static string Init(int version) => $"init{version}.mp4";

    public static string Segment(long sequence) => $"seg{sequence}.m4s";

    public static string Part(long sequence, int index) => $"part{sequence}.{index}.m4s";

    public static bool TryParseInit(string file, out int version) =>
        TryNumber(file, "init", ".mp4", out version);

    public static bool TryParseSegment(string file, out long sequence)
    {
        sequence = 0;
        return file.StartsWith("seg", StringComparison.Ordinal) && file.EndsWith(".m4s", StringComparison.Ordinal)
            && long.TryParse(file.AsSpan(3, file.Length - 7), NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }

    public static bool TryParsePart(string file, out long sequence, out int index)
    {
        sequence = 0;
        index = 0;
        if (!file.StartsWith("part", StringComparison.Ordinal) || !file.EndsWith(".m4s", StringComparison.Ordinal)) return false;
        var middle = file.AsSpan(4, file.Length - 8);
        var dot = middle.IndexOf('.');
        return dot > 0
            && long.TryParse(middle[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out sequence)
            && int.TryParse(middle[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }

    private static bool TryNumber(string file, string prefix, string suffix, out int value)
    {
        value = 0;
        return file.Length > prefix.Length + suffix.Length && file.StartsWith(prefix, StringComparison.Ordinal) && file.EndsWith(suffix, StringComparison.Ordinal)
            && int.TryParse(file.AsSpan(prefix.Length, file.Length - prefix.Length - suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
