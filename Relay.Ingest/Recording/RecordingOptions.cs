namespace Relay.Ingest.Recording;

/// <summary>Settings under <c>Relay:Recording</c>.</summary>
public sealed class RecordingOptions
{
    public const string SectionName = "Relay:Recording";

    /// <summary>Record every live session to <c>{DataDir}/recordings/{channelId}/</c>.</summary>
    public bool Enabled { get; set; } = true;
}
