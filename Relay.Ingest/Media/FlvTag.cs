using System.Buffers.Binary;

namespace Relay.Ingest.Media;

/// <summary>
/// One FLV tag, immutable and shared by every subscriber (never copied per subscriber). It keeps the serialized
/// bytes exactly as they travel in an FLV stream (11-byte header, body, 4-byte previous-tag-size) so HTTP-FLV
/// writes it with one copy, and exposes the body and timestamp for RTMP pushers, which re-chunk the body.
/// </summary>
public sealed class FlvTag
{
    public const int HeaderSize = 11;
    public const int TrailerSize = 4;

    private readonly byte[] _serialized;

    private FlvTag(byte[] serialized, FlvTagType type, uint timestamp)
    {
        _serialized = serialized;
        Type = type;
        Timestamp = timestamp;
        Kind = FlvTagClassifier.Classify(type, Body.Span);
        Track = type is FlvTagType.Video or FlvTagType.Audio ? EnhancedRtmp.TrackOf(type, Body.Span) : 0;
    }

    public FlvTagType Type { get; }

    /// <summary>Timestamp in milliseconds (24 bits plus the extension byte).</summary>
    public uint Timestamp { get; }

    /// <summary>What the tag is for the fan-out: keyframe, sequence header, metadata, ...</summary>
    public FlvTagKind Kind { get; }

    /// <summary>
    /// The E-RTMP v2 track: 0 (the default track) for every single-track tag and for a multitrack tag carrying track 0,
    /// else the track id it carries. The hub's keyframe cache and status follow track 0 only.
    /// </summary>
    public int Track { get; }

    public bool IsVideo => Type == FlvTagType.Video;

    public bool IsAudio => Type == FlvTagType.Audio;

    /// <summary>A video keyframe that is not a sequence header: where a decoder can start.</summary>
    public bool IsKeyframe => Kind == FlvTagKind.VideoKeyframe;

    public bool IsSequenceHeader => Kind is FlvTagKind.VideoSequenceHeader or FlvTagKind.AudioSequenceHeader;

    /// <summary>The tag body (the RTMP message payload for audio/video/data).</summary>
    public ReadOnlyMemory<byte> Body => _serialized.AsMemory(HeaderSize, _serialized.Length - HeaderSize - TrailerSize);

    /// <summary>Header + body + previous-tag-size, ready to append to an FLV stream.</summary>
    public ReadOnlyMemory<byte> Serialized => _serialized;

    public int BodyLength => _serialized.Length - HeaderSize - TrailerSize;

    /// <summary>Wraps an already serialized tag (as read from an FLV stream); the array is taken over, not copied.</summary>
    internal static FlvTag FromSerialized(byte[] serialized)
    {
        var type = (FlvTagType)(serialized[0] & 0x1F);
        var timestamp = (uint)(serialized[4] << 16 | serialized[5] << 8 | serialized[6] | serialized[7] << 24);
        return new FlvTag(serialized, type, timestamp);
    }

    /// <summary>Builds a tag from a body (e.g. an RTMP message payload).</summary>
    public static FlvTag Create(FlvTagType type, uint timestamp, ReadOnlySpan<byte> body)
    {
        if (body.Length > 0xFFFFFF)
        {
            throw new ArgumentOutOfRangeException(nameof(body), "an FLV tag body holds at most 16 MiB - 1 bytes");
        }

        var serialized = new byte[HeaderSize + body.Length + TrailerSize];
        body.CopyTo(serialized.AsSpan(HeaderSize));
        return FromReservedBuffer(serialized, type, timestamp);
    }

    /// <summary>
    /// Wraps a body that already sits at offset <see cref="HeaderSize"/> of an array with <see cref="TrailerSize"/>
    /// spare bytes at the end (how the native ingest reassembles RTMP media messages): the header and trailer are
    /// written in place and the array is taken over, so a media message costs one allocation and one copy.
    /// </summary>
    internal static FlvTag FromReservedBuffer(byte[] buffer, FlvTagType type, uint timestamp)
    {
        var bodyLength = buffer.Length - HeaderSize - TrailerSize;
        if (bodyLength is < 0 or > 0xFFFFFF)
        {
            throw new ArgumentOutOfRangeException(nameof(buffer), "an FLV tag body holds 0 to 16 MiB - 1 bytes");
        }

        buffer[0] = (byte)type;
        buffer[1] = (byte)(bodyLength >> 16);
        buffer[2] = (byte)(bodyLength >> 8);
        buffer[3] = (byte)bodyLength;
        buffer[4] = (byte)(timestamp >> 16);
        buffer[5] = (byte)(timestamp >> 8);
        buffer[6] = (byte)timestamp;
        buffer[7] = (byte)(timestamp >> 24);
        buffer[8] = 0;
        buffer[9] = 0;
        buffer[10] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(HeaderSize + bodyLength), (uint)(HeaderSize + bodyLength));
        return new FlvTag(buffer, type, timestamp);
    }

    public override string ToString() => $"{Type} {Kind} @{Timestamp}ms {BodyLength}B";
}
