namespace Relay.Ingest.Media;

/// <summary>Classifies tags by their first body bytes (legacy FLV and enhanced RTMP video headers).</summary>
public static class FlvTagClassifier
{
    public static FlvTagKind Classify(FlvTagType type, ReadOnlySpan<byte> body)
    {
        switch (type)
        {
            case FlvTagType.Script:
                // A cue must not replace the onMetaData a late joiner starts with.
                return CuePointTag.IsCuePoint(body) ? FlvTagKind.CuePoint : FlvTagKind.Metadata;
            case FlvTagType.Audio when body.Length >= 1:
                if (EnhancedRtmp.IsExAudio(body))
                {
                    // Enhanced audio (Opus, FLAC, AC-3, multitrack AAC...): packet type 0 starts the sequence.
                    return EnhancedRtmp.TryReadHeader(body, video: false, out var audioHeader) && audioHeader.PacketType == EnhancedRtmp.PacketSequenceStart
                        ? FlvTagKind.AudioSequenceHeader
                        : FlvTagKind.AudioFrame;
                }

                // AAC: second byte 0 = AudioSpecificConfig. Other formats carry no sequence header.
                return body[0] >> 4 == 10 && body.Length >= 2 && body[1] == 0 ? FlvTagKind.AudioSequenceHeader : FlvTagKind.AudioFrame;
            case FlvTagType.Video when body.Length >= 1:
                var frameType = (body[0] >> 4) & 0x07;
                bool sequenceHeader;
                bool endOfSequence;
                if ((body[0] & 0x80) != 0)
                {
                    // Enhanced RTMP: the packet type (after ModEx prefixes; for multitrack, the tracks' type) says
                    // sequence start or end; a command frame or a metadata packet carries no picture.
                    if (!EnhancedRtmp.TryReadHeader(body, video: true, out var header)
                        || frameType == EnhancedRtmp.FrameCommand
                        || header.PacketType is not (EnhancedRtmp.PacketSequenceStart or EnhancedRtmp.PacketSequenceEnd or EnhancedRtmp.PacketCodedFrames or EnhancedRtmp.PacketCodedFramesX))
                    {
                        return FlvTagKind.Other;
                    }

                    sequenceHeader = header.PacketType == EnhancedRtmp.PacketSequenceStart;
                    endOfSequence = header.PacketType == EnhancedRtmp.PacketSequenceEnd;
                }
                else
                {
                    var codecId = body[0] & 0x0F;
                    var hasPacketType = codecId is 7 or 12 && body.Length >= 2;
                    sequenceHeader = hasPacketType && body[1] == 0;
                    endOfSequence = hasPacketType && body[1] == 2;
                }

                if (endOfSequence)
                {
                    return FlvTagKind.VideoEndOfSequence;
                }

                if (sequenceHeader)
                {
                    return FlvTagKind.VideoSequenceHeader;
                }

                return frameType == 1 ? FlvTagKind.VideoKeyframe : FlvTagKind.VideoInterframe;
            default:
                return FlvTagKind.Other;
        }
    }
}
