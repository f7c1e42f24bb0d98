namespace Relay.Ingest.Amf0;

/// <summary>An AMF0 ECMA array (associative array; onMetaData uses it).</summary>
public sealed class Amf0EcmaArray : Dictionary<string, object?>
{
    public Amf0EcmaArray() : base(StringComparer.Ordinal) { }
}
