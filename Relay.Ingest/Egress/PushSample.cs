using Relay.Ingest.Media;

namespace Relay.Ingest.Egress;

/// <summary>One reading of a push's <see cref="PushCounters"/>.</summary>
/// <param name="VideoCodecTag">The last video sequence header (or the first video frame when there was none): its codec.</param>
/// <param name="AudioCodecTag">The first audio tag: its codec.</param>
/// <param name="Keyframes">Keyframes sent so far; the last one's timestamp and the video bytes sent up to it come with it.</param>
public readonly record struct PushSample(
    long Bytes,
    long Frames,
    bool HasVideo,
    bool HasAudio,
    FlvTag? VideoCodecTag,
    FlvTag? AudioCodecTag,
    long Keyframes,
    uint KeyframeTimestamp,
    long KeyframeVideoBytes);
