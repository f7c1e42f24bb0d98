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
