namespace Relay.Ingest.Consumers.Recording;

/// <summary>Settings under <c>Relay:Recording</c>.</summary>
public sealed class RecordingOptions
{
    public const string SectionName = "Relay:Recording";

    /// <summary>Record every live session to <c>{DataDir}/recordings/{channelId}/</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Recordings last written longer ago than this are deleted (checked at start and hourly). 0 keeps them forever.</summary>
    public double RetentionDays { get; set; } = 30;

    /// <summary>
    /// Free space that must stay on the disk of the recordings folder and on the disk of the data directory (the
    /// SQLite database with the order outbox): below it a recording does not start, and running recordings stop.
    /// Live streaming, HLS and orders go on. 0 turns the guard off.
    /// </summary>
    public long MinFreeBytes { get; set; } = 1L << 30;
}
