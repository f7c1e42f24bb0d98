using Relay.Ingest.Amf0;

namespace Relay.Ingest.Media;

/// <summary>Codec names and stream properties read from FLV tags, for the ingest status and metrics.</summary>
public static class FlvCodecs
{
    public static string? VideoCodecName(ReadOnlySpan<byte> body)
    {
        if (body.Length < 1)
        {
            return null;
        }

        if ((body[0] & 0x80) != 0)
        {
            // Enhanced RTMP: a FourCC follows the first byte.
            if (body.Length < 5)
            {
                return null;
            }

            return System.Text.Encoding.ASCII.GetString(body.Slice(1, 4)) switch
            {
                "hvc1" => "hevc",
                "av01" => "av1",
                "vp09" => "vp9",
                "avc1" => "h264",
                var other => other,
            };
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
