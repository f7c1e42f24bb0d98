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

    /// <summary>An <c>onCuePoint</c> script tag (<see cref="CuePointTag"/>): a media-time event, never stream metadata.</summary>
    CuePoint,
}
