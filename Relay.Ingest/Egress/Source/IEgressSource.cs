using System.Threading.Channels;

namespace Relay.Ingest.Egress.Source;

/// <summary>
/// The smallest seam egress needs from the fan-out: per live channel, a source that hands each destination its own
/// bounded, keyframe-aware queue starting with metadata + sequence headers + the cached GOP. The ingest branch's
/// StreamHub implements it through a thin adapter; tests use a real-time replay of an ffmpeg-encoded clip.
/// </summary>
public interface IEgressSource
{
    /// <param name="subscriberName">For the hub's logs and drop accounting; never a URL or a key.</param>
    IEgressFeed Subscribe(string subscriberName, int capacity);
}

/// <summary>Finds the live source of a channel; null when the channel is offline.</summary>
public interface IEgressSourceResolver
{
    IEgressSource? Find(string channelId);
}

/// <summary>One destination's queue. Completing <see cref="Frames"/> means the channel ended.</summary>
public interface IEgressFeed : IDisposable
{
    ChannelReader<EgressFrame> Frames { get; }

    /// <summary>Frames the hub dropped for this subscriber because it fell behind (whole GOP remainders).</summary>
    long DroppedFrames { get; }

    /// <summary>Media time between the newest frame the hub queued for this subscriber and the oldest still waiting.</summary>
    TimeSpan Backlog { get; }
}

/// <summary>What the frame is to a pusher.</summary>
public enum EgressFrameKind : byte
{
    Metadata,
    VideoSequenceHeader,
    VideoKeyframe,
    VideoFrame,
    AudioSequenceHeader,
    AudioFrame,
}

/// <summary>
/// One media message as it travels in RTMP/FLV: the FLV tag type (8 audio, 9 video, 18 script = the RTMP message
/// type), the timestamp in ms and the tag body. Shared, never mutated. Adapts 1:1 from the ingest's FlvTag.
/// </summary>
public sealed record EgressFrame(EgressFrameKind Kind, uint Timestamp, ReadOnlyMemory<byte> Body)
{
    public const byte AudioType = 8;
    public const byte VideoType = 9;
    public const byte ScriptType = 18;

    public byte TagType => Kind switch
    {
        EgressFrameKind.Metadata => ScriptType,
        EgressFrameKind.AudioSequenceHeader or EgressFrameKind.AudioFrame => AudioType,
        _ => VideoType,
    };

    public bool IsVideo => TagType == VideoType;

    public bool IsAudio => TagType == AudioType;

    public static EgressFrameKind Classify(byte tagType, ReadOnlySpan<byte> body) => tagType switch
    {
        ScriptType => EgressFrameKind.Metadata,
        AudioType => body.Length >= 2 && body[0] >> 4 == 10 && body[1] == 0 ? EgressFrameKind.AudioSequenceHeader : EgressFrameKind.AudioFrame,
        _ when body.Length >= 2 && (body[0] & 0x0F) is 7 or 12 && body[1] == 0 => EgressFrameKind.VideoSequenceHeader,
        _ => body.Length >= 1 && (body[0] >> 4 & 0x07) == 1 ? EgressFrameKind.VideoKeyframe : EgressFrameKind.VideoFrame,
    };
}
