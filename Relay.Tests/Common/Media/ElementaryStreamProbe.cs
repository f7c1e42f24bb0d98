using System.Buffers.Binary;
using System.Text.Json;
using Relay.Ingest.Media;

namespace Relay.Tests.Common.Media;

/// <summary>
/// Proves a received Enhanced RTMP stream is intact, not just present: rebuilds the elementary stream from the received
/// tags (Annex-B HEVC from the HEVCDecoderConfigurationRecord's parameter sets and the length-prefixed NAL units; an AV1
/// OBU stream from the configuration record's sequence header and each temporal unit) and has ffmpeg 5.1 decode every
/// frame (ffmpeg 5.1 reads neither E-RTMP FLV nor RTMP, but it reads these).
/// </summary>
public static class ElementaryStreamProbe
{
    public sealed record Decoded(string Codec, int Width, int Height, int Frames);

    public static async Task<Decoded> DecodeAsync(IEnumerable<FlvTag> received, string fourCc)
    {
        var video = received.Where(t => t.IsVideo && t.BodyLength > 5 && (t.Body.Span[0] & 0x80) != 0
            && System.Text.Encoding.ASCII.GetString(t.Body.Span.Slice(1, 4)) == fourCc).ToList();
        var header = video.First(t => (t.Body.Span[0] & 0x0F) == 0).Body.ToArray()[5..];
        var frames = video.Where(t => (t.Body.Span[0] & 0x0F) is 1 or 3).ToList();
        var output = new MemoryStream();
        if (fourCc == "hvc1")
        {
            // numOfArrays at 22, then per array: type, count, and for each NAL unit a 2-byte length.
            var position = 23;
            for (var array = 0; array < header[22]; array++)
            {
                var count = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(position + 1));
                position += 3;
                for (var n = 0; n < count; n++)
                {
                    var length = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(position));
                    output.Write([0, 0, 0, 1]);
                    output.Write(header.AsSpan(position + 2, length));
                    position += 2 + length;
                }
            }

            foreach (var frame in frames)
            {
                var body = frame.Body.ToArray();
                var at = (body[0] & 0x0F) == 1 ? 8 : 5; // CodedFrames has a composition time
                while (at + 4 <= body.Length)
                {
                    var length = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(at));
                    output.Write([0, 0, 0, 1]);
                    output.Write(body.AsSpan(at + 4, length));
                    at += 4 + length;
                }
            }
        }
        else
        {
            var first = true;
            foreach (var frame in frames)
            {
                output.Write([0x12, 0x00]); // temporal delimiter
                if (first)
                {
                    output.Write(header.AsSpan(4)); // configOBUs: the sequence header
                    first = false;
                }

                output.Write(frame.Body.Span[5..]);
            }
        }

        var path = Path.Combine(Path.GetTempPath(), $"relay-ertmp-{Guid.NewGuid():N}.{(fourCc == "hvc1" ? "hevc" : "obu")}");
        await File.WriteAllBytesAsync(path, output.ToArray());
        try
        {
            // Every frame decodes without an error (-xerror stops at the first), then count them and read the size.
            await Tools.RunAsync("ffmpeg", "-nostdin", "-v", "error", "-xerror", "-f", fourCc == "hvc1" ? "hevc" : "obu", "-i", path, "-f", "null", "-");
            var json = await Tools.RunAsync("ffprobe", "-v", "error", "-f", fourCc == "hvc1" ? "hevc" : "obu", "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "json", path);
            var stream = JsonDocument.Parse(json).RootElement.GetProperty("streams")[0];
            return new Decoded(stream.GetProperty("codec_name").GetString()!, stream.GetProperty("width").GetInt32(), stream.GetProperty("height").GetInt32(),
                int.Parse(stream.GetProperty("nb_read_frames").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
