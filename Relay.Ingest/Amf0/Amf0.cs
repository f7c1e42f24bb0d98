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

/// <summary>An AMF0 anonymous object: ordered property names to values.</summary>
public sealed class Amf0Object : Dictionary<string, object?>
{
    public Amf0Object() : base(StringComparer.Ordinal) { }
}

/// <summary>An AMF0 ECMA array (associative array; onMetaData uses it).</summary>
public sealed class Amf0EcmaArray : Dictionary<string, object?>
{
    public Amf0EcmaArray() : base(StringComparer.Ordinal) { }
}

/// <summary>The AMF0 <c>undefined</c> value, distinct from <c>null</c>.</summary>
public sealed class Amf0Undefined
{
    public static readonly Amf0Undefined Instance = new();

    private Amf0Undefined() { }
}

/// <summary>Malformed or over-limit AMF0 data.</summary>
public sealed class Amf0FormatException(string message) : FormatException(message);
