using System.Globalization;
using System.Text.RegularExpressions;

namespace Relay.Ingest.Consumers.Recording;

/// <summary>
/// Names of recording files: <c>{yyyyMMdd-HHmmss}[-n].flv</c> and its <c>.timeline.json</c>. Download requests are
/// matched against these patterns before any path is built, so no request can leave the channel's folder.
/// </summary>
public static partial class RecordingFileNames
{
    public const string MediaExtension = ".flv";
    public const string TimelineExtension = ".timeline.json";

    public static string IdFor(DateTimeOffset startedAt, int attempt) =>
        startedAt.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + (attempt == 0 ? "" : $"-{attempt}");

    public static bool IsRecordingId(string? id) => id is not null && Id().IsMatch(id);

    /// <summary>The recording id and whether the name is the timeline; false for anything not a recording file name.</summary>
    public static bool TryParse(string? fileName, out string id, out bool isTimeline)
    {
        id = "";
        isTimeline = false;
        if (fileName is null)
        {
            return false;
        }

        if (fileName.EndsWith(TimelineExtension, StringComparison.Ordinal))
        {
            id = fileName[..^TimelineExtension.Length];
            isTimeline = true;
        }
        else if (fileName.EndsWith(MediaExtension, StringComparison.Ordinal))
        {
            id = fileName[..^MediaExtension.Length];
        }

        return IsRecordingId(id);
    }

    [GeneratedRegex(@"^[0-9]{8}-[0-9]{6}(-[0-9]{1,3})?$", RegexOptions.CultureInvariant)]
    private static partial Regex Id();
}
