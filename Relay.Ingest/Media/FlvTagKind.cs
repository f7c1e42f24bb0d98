namespace Relay.Ingest.Media;

/// <summary>The role of a tag in the fan-out.</summary>
public enum FlvTagKind
{
    Other,
    Metadata,
    VideoSequenceHeader,
    VideoKeyframe,
    VideoInterframe,
    AudioSequenceHeader,
    AudioFrame,

    /// <summary>AVC/HEVC end of sequence (ffmpeg's FLV muxer writes one at the end); carries no picture.</summary>
    VideoEndOfSequence,
}
