namespace Relay.Ingest.Amf0;

/// <summary>AMF0 type markers (AMF0 spec, section 2.1).</summary>
public enum Amf0Marker : byte
{
    Number = 0x00,
    Boolean = 0x01,
    String = 0x02,
    Object = 0x03,
    Null = 0x05,
    Undefined = 0x06,
    EcmaArray = 0x08,
    ObjectEnd = 0x09,
    StrictArray = 0x0A,
    Date = 0x0B,
    LongString = 0x0C,
}
