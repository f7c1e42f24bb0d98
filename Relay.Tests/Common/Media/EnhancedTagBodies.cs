using System.Buffers.Binary;

namespace Relay.Tests.Common.Media;

/// <summary>
/// Builds Enhanced RTMP tag bodies (veovera/enhanced-rtmp v1 and v2) the way an E-RTMP publisher (OBS 30+) writes them:
/// SequenceStart with the codec's configuration record, CodedFrames with length-prefixed NAL units (HEVC, with the
/// composition time) or OBUs (AV1), and v2 multitrack wrappers. ffmpeg 5.1 writes none of this, so the tests do.
/// </summary>
public static class EnhancedTagBodies
{
    public static readonly byte[] Hevc = "hvc1"u8.ToArray();
    public static readonly byte[] Av1 = "av01"u8.ToArray();
    public static readonly byte[] Avc = "avc1"u8.ToArray();

    /// <summary>[IsExHeader | FrameType | PacketType][FourCC][payload].</summary>
    public static byte[] Video(bool keyframe, int packetType, byte[] fourCc, ReadOnlySpan<byte> payload)
    {
        var body = new byte[5 + payload.Length];
        body[0] = (byte)(0x80 | (keyframe ? 1 : 2) << 4 | packetType);
        fourCc.CopyTo(body, 1);
        payload.CopyTo(body.AsSpan(5));
        return body;
    }

    /// <summary>HEVC CodedFrames: composition time 0 (no B-frames), then each NAL unit with a 4-byte length.</summary>
    public static byte[] HevcFrame(bool keyframe, IEnumerable<byte[]> nalUnits)
    {
        var payload = new List<byte> { 0, 0, 0 };
        foreach (var nal in nalUnits)
        {
            var length = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, nal.Length);
            payload.AddRange(length);
            payload.AddRange(nal);
        }

        return Video(keyframe, 1, Hevc, payload.ToArray());
    }

    /// <summary>
    /// An HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1) with one VPS, SPS and PPS; the general profile,
    /// tier and level copied from the SPS, 4:2:0 8-bit, 4-byte NAL lengths.
    /// </summary>
    public static byte[] HevcConfigurationRecord(byte[] vps, byte[] sps, byte[] pps)
    {
        var record = new List<byte> { 1 };
        // SPS: 2-byte NAL header, 1 byte of ids/sub-layers, then the 12-byte general profile_tier_level.
        record.AddRange(sps.AsSpan(3, 12).ToArray());
        record.AddRange([0xF0, 0x00, 0xFC, 0xFD, 0xF8, 0xF8, 0x00, 0x00, 0x0F, 3]);
        foreach (var nal in new[] { vps, sps, pps })
        {
            record.Add((byte)(0x80 | ElementaryUnits.HevcType(nal)));
            record.AddRange([0, 1, (byte)(nal.Length >> 8), (byte)nal.Length]);
            record.AddRange(nal);
        }

        return record.ToArray();
    }

    /// <summary>An AV1CodecConfigurationRecord: marker/version, main profile 4:2:0 8-bit, then the sequence header OBU.</summary>
    public static byte[] Av1ConfigurationRecord(byte[] sequenceHeaderObu) => [0x81, 0x08, 0x0C, 0x00, .. sequenceHeaderObu];

    /// <summary>
    /// A legacy AVC tag body ([FrameType|7][AVCPacketType][CTS][data]) as an E-RTMP v2 multitrack OneTrack body of
    /// <paramref name="trackId"/>: SequenceStart carries the record alone, CodedFrames keeps its composition time.
    /// </summary>
    public static byte[] AvcAsOneTrack(ReadOnlySpan<byte> legacy, int trackId)
    {
        var frameType = (legacy[0] >> 4) & 0x07;
        var packetType = legacy[1] switch { 0 => 0, 1 => 1, _ => 2 };
        var payload = packetType switch { 0 => legacy[5..], 1 => legacy[2..], _ => ReadOnlySpan<byte>.Empty };
        var body = new byte[7 + payload.Length];
        body[0] = (byte)(0x80 | frameType << 4 | 6);
        body[1] = (byte)(0 << 4 | packetType);
        Avc.CopyTo(body, 2);
        body[6] = (byte)trackId;
        payload.CopyTo(body.AsSpan(7));
        return body;
    }
}
