namespace Relay.Ingest.Rtmp;

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
