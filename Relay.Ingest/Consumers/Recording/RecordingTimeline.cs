using System.Text.Json;

namespace Relay.Ingest.Consumers.Recording;

/// <summary>The sidecar <c>{id}.timeline.json</c>: recording facts plus the markers, rewritten whole on each change.</summary>
public sealed record RecordingTimeline(
    int Version,
    string ChannelId,
    string Recording,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    double? DurationSeconds,
    IReadOnlyList<TimelineEvent> Events)
{
    /// <summary>
    /// Writes to a temp file and renames it over the old one: a crash at any moment leaves either the old or the new
    /// timeline, never a truncated JSON document.
    /// </summary>
    internal void Save(string path)
    {
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(this, RecordingJsonContext.Default.RecordingTimeline));
        File.Move(temp, path, overwrite: true);
    }

    internal static RecordingTimeline? TryLoad(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), RecordingJsonContext.Default.RecordingTimeline);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            return null;
        }
    }
}
