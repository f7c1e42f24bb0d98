namespace Relay.Ingest.Rtmp;

/// <summary>RTMP message type ids (RTMP 1.0 spec, sections 5.4 and 7.1).</summary>
public static class RtmpMessageType
{
    public const byte SetChunkSize = 1;
    public const byte Abort = 2;
    public const byte Acknowledgement = 3;
    public const byte UserControl = 4;
    public const byte WindowAcknowledgementSize = 5;
    public const byte SetPeerBandwidth = 6;
    public const byte Audio = 8;
    public const byte Video = 9;
    public const byte DataAmf3 = 15;
    public const byte SharedObjectAmf3 = 16;
    public const byte CommandAmf3 = 17;
    public const byte DataAmf0 = 18;
    public const byte SharedObjectAmf0 = 19;
    public const byte CommandAmf0 = 20;
    public const byte Aggregate = 22;
}

/// <summary>Handshake constants (RTMP 1.0 spec, section 5.2).</summary>
public static class RtmpHandshake
{
    /// <summary>The only version byte (C0/S0) in use; anything else is not RTMP (0x16 is a TLS ClientHello, 'G' is HTTP).</summary>
    public const byte Version = 3;

    /// <summary>Size of C1/S1/C2/S2.</summary>
    public const int PacketSize = 1536;

    /// <summary>C0 + C1: what a client must send before a server answers.</summary>
    public const int C0C1Size = 1 + PacketSize;
}

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
