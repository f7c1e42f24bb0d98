namespace Relay.Ingest.Rtmp;

/// <summary>Protocol-level constants and the defaults both ends start from.</summary>
public static class RtmpProtocol
{
    /// <summary>Every RTMP connection starts with 128-byte chunks until a Set Chunk Size message says otherwise.</summary>
    public const int DefaultChunkSize = 128;

    /// <summary>Largest legal chunk size: the high bit of the Set Chunk Size payload must be 0.</summary>
    public const int MaxChunkSize = 0x7FFFFFFF;

    /// <summary>Chunk stream 2 carries protocol control messages.</summary>
    public const int ControlChunkStreamId = 2;

    /// <summary>A 24-bit timestamp field holding this value means a 32-bit extended timestamp follows.</summary>
    public const uint ExtendedTimestampMarker = 0xFFFFFF;
}
