using System.Buffers.Binary;

namespace Relay.Ingest.Media;

/// <summary>
/// The Enhanced RTMP (veovera/enhanced-rtmp v1 and v2) tag layouts Relay needs, in one place: the ex-header bit, the
/// packet types, the FourCCs, ModEx prefixes and multitrack (v2: OneTrack, ManyTracks, ManyTracksManyCodecs, each
/// track with its id). Everything here reads spans and never throws on short or odd bytes: a malformed tag is
/// "not multitrack" or "no such track", never an exception on the publisher's thread.
/// </summary>
public static class EnhancedRtmp
{
    public const int PacketSequenceStart = 0;
    public const int PacketCodedFrames = 1;
    public const int PacketSequenceEnd = 2;
    public const int PacketCodedFramesX = 3;
    public const int PacketMetadata = 4;
    public const int VideoPacketMultitrack = 6;
    public const int AudioPacketMultitrack = 5;
    public const int PacketModEx = 7;

    /// <summary>Legacy FLV SoundFormat 9: the audio tag is an ExAudioTagHeader.</summary>
    public const int AudioExHeaderFormat = 9;

    public const int FrameKey = 1;
    public const int FrameCommand = 5;

    public const int OneTrack = 0;
    public const int ManyTracks = 1;
    public const int ManyTracksManyCodecs = 2;

    public const uint Avc = 0x61766331;   // avc1
    public const uint Hevc = 0x68766331;  // hvc1
    public const uint Av1 = 0x61763031;   // av01
    public const uint Vp9 = 0x76703039;   // vp09
    public const uint Aac = 0x6D703461;   // mp4a

    public static bool IsExVideo(ReadOnlySpan<byte> body) => body.Length >= 1 && (body[0] & 0x80) != 0;

    public static bool IsExAudio(ReadOnlySpan<byte> body) => body.Length >= 1 && body[0] >> 4 == AudioExHeaderFormat;

    /// <summary>The codec name of a FourCC as the status API and metrics spell it.</summary>
    public static string CodecName(uint fourCc) => fourCc switch
    {
        Hevc => "hevc",
        Av1 => "av1",
        Vp9 => "vp9",
        Avc => "h264",
        Aac => "aac",
        0x4F707573 => "opus",
        0x664C6143 => "flac",
        0x61632D33 => "ac3",
        0x65632D33 => "eac3",
        0x2E6D7033 => "mp3",
        _ => "other",
    };

    /// <summary>
    /// Reads the header of an enhanced video or audio tag: the packet type after any ModEx prefixes, and for multitrack
    /// the multitrack type, the inner packet type and where the tracks start. False when the bytes are too short.
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> body, bool video, out ExHeader header)
    {
        header = default;
        if (body.Length < 1)
        {
            return false;
        }

        var packetType = body[0] & 0x0F;
        var position = 1;
        while (packetType == PacketModEx)
        {
            // ModEx: a size (UI8 + 1, or UI16 + 1 when the byte says 256), the data, then the modifier type and the
            // real packet type in one byte. Relay keeps none of it: a rewritten track drops the prefix.
            if (position >= body.Length)
            {
                return false;
            }

            var size = body[position] + 1;
            position++;
            if (size == 256)
            {
                if (position + 2 > body.Length)
                {
                    return false;
                }

                size = BinaryPrimitives.ReadUInt16BigEndian(body[position..]) + 1;
                position += 2;
            }

            position += size;
            if (position >= body.Length)
            {
                return false;
            }

            packetType = body[position] & 0x0F;
            position++;
        }

        var multitrackPacket = video ? VideoPacketMultitrack : AudioPacketMultitrack;
        if (packetType != multitrackPacket)
        {
            if (position + 4 > body.Length)
            {
                return false;
            }

            header = new ExHeader(packetType, BinaryPrimitives.ReadUInt32BigEndian(body[position..]), false, 0, position + 4);
            return true;
        }

        if (position >= body.Length)
        {
            return false;
        }

        var multitrackType = body[position] >> 4;
        var innerPacketType = body[position] & 0x0F;
        position++;
        uint fourCc = 0;
        if (multitrackType != ManyTracksManyCodecs)
        {
            if (position + 4 > body.Length)
            {
                return false;
            }

            fourCc = BinaryPrimitives.ReadUInt32BigEndian(body[position..]);
            position += 4;
        }

        header = new ExHeader(innerPacketType, fourCc, true, multitrackType, position);
        return true;
    }

    /// <summary>
    /// Finds one track of a multitrack tag: its FourCC and its payload (what follows the track id and size). False when
    /// the tag is not multitrack, is malformed, or does not carry <paramref name="trackId"/>.
    /// </summary>
    public static bool TryFindTrack(ReadOnlySpan<byte> body, bool video, int trackId, out ExHeader header, out uint fourCc, out Range payload)
    {
        fourCc = 0;
        payload = default;
        if (!TryReadHeader(body, video, out header) || !header.IsMultitrack)
        {
            return false;
        }

        var position = header.TracksStart;
        while (position < body.Length)
        {
            var trackFourCc = header.FourCc;
            if (header.MultitrackType == ManyTracksManyCodecs)
            {
                if (position + 4 > body.Length)
                {
                    return false;
                }

                trackFourCc = BinaryPrimitives.ReadUInt32BigEndian(body[position..]);
                position += 4;
            }

            if (position >= body.Length)
            {
                return false;
            }

            var id = body[position];
            position++;
            int end;
            if (header.MultitrackType == OneTrack)
            {
                end = body.Length;
            }
            else
            {
                if (position + 3 > body.Length)
                {
                    return false;
                }

                end = position + 3 + (body[position] << 16 | body[position + 1] << 8 | body[position + 2]);
                position += 3;
                if (end > body.Length)
                {
                    return false;
                }
            }

            if (id == trackId)
            {
                fourCc = trackFourCc;
                payload = position..end;
                return true;
            }

            if (header.MultitrackType == OneTrack)
            {
                return false;
            }

            position = end;
        }

        return false;
    }

    /// <summary>
    /// The track a tag belongs to: 0 for every single-track tag (legacy or enhanced) and for a multitrack tag that
    /// carries track 0; otherwise the first track id it names. A multitrack tag whose header cannot be read counts as 0.
    /// </summary>
    public static int TrackOf(FlvTagType type, ReadOnlySpan<byte> body)
    {
        var video = type == FlvTagType.Video;
        if (!(video ? IsExVideo(body) : type == FlvTagType.Audio && IsExAudio(body)))
        {
            return 0;
        }

        if (!TryReadHeader(body, video, out var header) || !header.IsMultitrack)
        {
            return 0;
        }

        if (TryFindTrack(body, video, 0, out _, out _, out _))
        {
            return 0;
        }

        var first = header.TracksStart + (header.MultitrackType == ManyTracksManyCodecs ? 4 : 0);
        return first < body.Length ? body[first] : 0;
    }
}
