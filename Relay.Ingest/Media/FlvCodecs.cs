using Relay.Ingest.Amf0;

namespace Relay.Ingest.Media;

/// <summary>Codec names and stream properties read from FLV tags, for the ingest status and metrics.</summary>
public static class FlvCodecs
{
    /// <summary>The video codec of a tag; for an E-RTMP v2 multitrack tag, the codec of <paramref name="track"/> (null when absent).</summary>
    public static string? VideoCodecName(ReadOnlySpan<byte> body, int track = 0)
    {
        if (body.Length < 1)
        {
            return null;
        }

        if (EnhancedRtmp.IsExVideo(body))
        {
            // Enhanced RTMP: a FourCC after the header (and after ModEx prefixes; per track for multitrack).
            if (!EnhancedRtmp.TryReadHeader(body, video: true, out var header))
            {
                return null;
            }

            if (!header.IsMultitrack)
            {
                return track == 0 ? EnhancedRtmp.CodecName(header.FourCc) : null;
            }

            return EnhancedRtmp.TryFindTrack(body, video: true, track, out _, out var fourCc, out _) ? EnhancedRtmp.CodecName(fourCc) : null;
        }

        if (track != 0)
        {
            return null;
        }

        return (body[0] & 0x0F) switch
        {
            2 => "h263",
            3 => "screen",
            4 => "vp6",
            5 => "vp6a",
            6 => "screen2",
            7 => "h264",
            12 => "hevc",
            var id => $"flv-video-{id}",
        };
    }

    public static string? AudioCodecName(ReadOnlySpan<byte> body)
    {
        if (body.Length < 1)
        {
            return null;
        }

        if (EnhancedRtmp.IsExAudio(body))
        {
            return EnhancedRtmp.TryReadHeader(body, video: false, out var header) && header.FourCc != 0 ? EnhancedRtmp.CodecName(header.FourCc) : null;
        }

        return (body[0] >> 4) switch
        {
            0 or 3 => "pcm",
            1 => "adpcm",
            2 or 14 => "mp3",
            4 or 5 or 6 => "nellymoser",
            7 => "pcm_alaw",
            8 => "pcm_mulaw",
            10 => "aac",
            11 => "speex",
            var id => $"flv-audio-{id}",
        };
    }

    /// <summary>Reads width/height from an H.264 sequence header tag body (legacy FLV AVC only).</summary>
    public static bool TryReadAvcDimensions(ReadOnlySpan<byte> videoSequenceHeaderBody, out int width, out int height)
    {
        width = height = 0;
        return videoSequenceHeaderBody.Length > 5
            && (videoSequenceHeaderBody[0] & 0x80) == 0
            && (videoSequenceHeaderBody[0] & 0x0F) == 7
            && AvcSps.TryReadDimensionsFromConfigurationRecord(videoSequenceHeaderBody[5..], out width, out height);
    }

    /// <summary>Reads the onMetaData properties of a script tag (with or without an @setDataFrame wrapper).</summary>
    public static IReadOnlyDictionary<string, object?>? ReadMetadata(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Amf0Reader(body);
            var name = reader.ReadValue() as string;
            if (name == "@setDataFrame")
            {
                name = reader.ReadValue() as string;
            }

            if (name != "onMetaData" || reader.End)
            {
                return null;
            }

            return reader.ReadValue() as IReadOnlyDictionary<string, object?>;
        }
        catch (Amf0FormatException)
        {
            return null;
        }
    }
}
