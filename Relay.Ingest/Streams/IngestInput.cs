namespace Relay.Ingest.Streams;

/// <summary>Which of a channel's two keys a publish used: the stream key (primary) or the backup stream key.</summary>
public enum IngestInput
{
    Primary,
    Backup,
}
