namespace Relay.Ingest.Rtmp;

/// <summary>Header of one reassembled RTMP message.</summary>
/// <param name="ChunkStreamId">Chunk stream the message arrived on (2..65599).</param>
/// <param name="Timestamp">Absolute timestamp in milliseconds (deltas already applied, wraps at 2^32).</param>
/// <param name="Length">Payload length in bytes.</param>
/// <param name="TypeId">One of <see cref="RtmpMessageType"/>.</param>
/// <param name="MessageStreamId">Message stream id (0 for connection-level commands).</param>
public readonly record struct RtmpMessageHeader(int ChunkStreamId, uint Timestamp, int Length, byte TypeId, uint MessageStreamId);
