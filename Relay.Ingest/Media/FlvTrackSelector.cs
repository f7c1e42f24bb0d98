namespace Relay.Ingest.Media;

/// <summary>
/// Turns a (possibly multitrack, E-RTMP v2) stream into the plain single-track stream one consumer gets: video track
/// <see cref="VideoTrackId"/> and audio track 0. A tag of the wanted track that is already single-track is returned as
/// is (the same instance: no copy for the common case); a multitrack tag is rewritten to the single-track form of its
/// codec (a legacy AVC tag for H.264, a single-track enhanced tag for HEVC, AV1, VP9; legacy AAC for mp4a audio);
/// tags of other tracks are dropped. A non-default track starts at its own keyframe: the hub's cache starts at a
/// keyframe of track 0, not of the others. One instance per consumer, used from one thread at a time.
/// </summary>
public sealed class FlvTrackSelector(int videoTrackId)
{
    // Written by the consumer's inline writer (publisher thread) or its queue reader, never both for one tag.
    private volatile bool _waitingForKeyframe = videoTrackId != 0;
    private FlvTag? _keyframeThatStarted;

    public int VideoTrackId => videoTrackId;

    /// <summary>The tag to forward (possibly <paramref name="tag"/> itself), or null when this consumer does not get it.</summary>
    public FlvTag? Select(FlvTag tag)
    {
        var body = tag.Body.Span;
        switch (tag.Type)
        {
            case FlvTagType.Video:
                return SelectVideo(tag, body);
            case FlvTagType.Audio:
                if (!EnhancedRtmp.IsExAudio(body) || !EnhancedRtmp.TryReadHeader(body, video: false, out var header) || !header.IsMultitrack)
                {
                    return tag;
                }

                return EnhancedRtmp.TryFindTrack(body, video: false, 0, out header, out var fourCc, out var payload)
                    ? RewriteAudio(tag, header.PacketType, fourCc, body[payload])
                    : null;
            default:
                return tag;
        }
    }

    private FlvTag? SelectVideo(FlvTag tag, ReadOnlySpan<byte> body)
    {
        var multitrack = EnhancedRtmp.IsExVideo(body)
            && EnhancedRtmp.TryReadHeader(body, video: true, out var header)
            && header.IsMultitrack;
        FlvTag? selected;
        if (!multitrack)
        {
            selected = videoTrackId == 0 ? tag : null;
        }
        else if (EnhancedRtmp.TryFindTrack(body, video: true, videoTrackId, out header, out var fourCc, out var payload))
        {
            selected = RewriteVideo(tag, (body[0] >> 4) & 0x07, header.PacketType, fourCc, body[payload]);
        }
        else
        {
            selected = null;
        }

        if (selected is null || !_waitingForKeyframe)
        {
            return selected;
        }

        if (selected.Kind is FlvTagKind.VideoInterframe)
        {
            return null;
        }

        if (selected.Kind == FlvTagKind.VideoKeyframe)
        {
            _waitingForKeyframe = false;
            _keyframeThatStarted = selected;
        }

        return selected;
    }

    /// <summary>The consumer could not send <paramref name="selected"/> after all: it will be selected again later.</summary>
    public void Unselect(FlvTag selected)
    {
        if (ReferenceEquals(_keyframeThatStarted, selected))
        {
            _keyframeThatStarted = null;
            _waitingForKeyframe = true;
        }
    }

    private static FlvTag? RewriteVideo(FlvTag tag, int frameType, int packetType, uint fourCc, ReadOnlySpan<byte> payload)
    {
        if (fourCc == EnhancedRtmp.Avc)
        {
            // Legacy AVC: frame type + codec 7, AVCPacketType, composition time (SI24), data.
            var avcPacketType = packetType switch
            {
                EnhancedRtmp.PacketSequenceStart => 0,
                EnhancedRtmp.PacketCodedFrames or EnhancedRtmp.PacketCodedFramesX => 1,
                EnhancedRtmp.PacketSequenceEnd => 2,
                _ => -1,
            };
            if (avcPacketType < 0)
            {
                return null;
            }

            // CodedFrames carries its composition time first, exactly where the legacy tag wants it.
            var withTime = packetType == EnhancedRtmp.PacketCodedFrames;
            var legacy = new byte[2 + (withTime ? 0 : 3) + payload.Length];
            legacy[0] = (byte)(frameType << 4 | 7);
            legacy[1] = (byte)avcPacketType;
            payload.CopyTo(legacy.AsSpan(withTime ? 2 : 5));
            return FlvTag.Create(FlvTagType.Video, tag.Timestamp, legacy);
        }

        var single = new byte[5 + payload.Length];
        single[0] = (byte)(0x80 | frameType << 4 | packetType);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(single.AsSpan(1), fourCc);
        payload.CopyTo(single.AsSpan(5));
        return FlvTag.Create(FlvTagType.Video, tag.Timestamp, single);
    }

    private static FlvTag? RewriteAudio(FlvTag tag, int packetType, uint fourCc, ReadOnlySpan<byte> payload)
    {
        if (fourCc == EnhancedRtmp.Aac)
        {
            if (packetType is not (EnhancedRtmp.PacketSequenceStart or EnhancedRtmp.PacketCodedFrames))
            {
                return null;
            }

            // Legacy AAC: 0xAF (AAC, 44 kHz, 16 bit, stereo: fixed for AAC), AACPacketType, data.
            var legacy = new byte[2 + payload.Length];
            legacy[0] = 0xAF;
            legacy[1] = (byte)(packetType == EnhancedRtmp.PacketSequenceStart ? 0 : 1);
            payload.CopyTo(legacy.AsSpan(2));
            return FlvTag.Create(FlvTagType.Audio, tag.Timestamp, legacy);
        }

        var single = new byte[5 + payload.Length];
        single[0] = (byte)(EnhancedRtmp.AudioExHeaderFormat << 4 | packetType);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(single.AsSpan(1), fourCc);
        payload.CopyTo(single.AsSpan(5));
        return FlvTag.Create(FlvTagType.Audio, tag.Timestamp, single);
    }
}
