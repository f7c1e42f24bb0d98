namespace Relay.Ingest.Amf0;

/// <summary>An AMF0 anonymous object: ordered property names to values.</summary>
public sealed class Amf0Object : Dictionary<string, object?>
{
    public Amf0Object() : base(StringComparer.Ordinal) { }
}
