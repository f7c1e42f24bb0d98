namespace Relay.Ingest.Rtmp;

/// <summary>A complete RTMP message. The payload is owned by the message (never reused by the reader).</summary>
public sealed record RtmpMessage(RtmpMessageHeader Header, ReadOnlyMemory<byte> Payload);
