namespace Relay.Ingest.Media;

/// <summary>FLV tag types (FLV spec, E.4.1).</summary>
public enum FlvTagType : byte
{
    Audio = 8,
    Video = 9,
    Script = 18,
}
