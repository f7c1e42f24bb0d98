using System.Text;

namespace Relay.Ingest.Media;

/// <summary>
/// Timed metadata for fragmented-MP4 HLS: an ID3v2.4 tag with one <c>TXXX</c> frame (a description and a UTF-8 value)
/// carried in an <c>emsg</c> box (version 1, scheme <c>https://aomedia.org/emsg/ID3</c>) placed before a fragment's
/// <c>moof</c>. hls.js turns it into a cue of the video's metadata text track at <c>presentation_time</c>, and Safari
/// does the same for native HLS, so a page learns of it when the picture reaches that time.
/// </summary>
internal static class Id3Emsg
{
    public const string SchemeId = "https://aomedia.org/emsg/ID3";

    public static byte[] Create(string description, string value, long presentationTime, int timescale, uint id)
    {
        var id3 = Id3(description, value);
        var w = new Mp4BoxWriter(id3.Length + 96);
        w.BeginFull("emsg", 1, 0);
        w.U32((uint)timescale);
        w.U64((ulong)Math.Max(0, presentationTime));
        w.U32(0);       // event_duration: an instant
        w.U32(id);
        w.Bytes(Encoding.ASCII.GetBytes(SchemeId));
        w.U8(0);
        w.U8(0);        // value: empty string
        w.Bytes(id3);
        w.End();
        return w.ToArray();
    }

    /// <summary>An ID3v2.4 tag with one TXXX frame.</summary>
    public static byte[] Id3(string description, string value)
    {
        var frame = new List<byte> { 0x03 }; // UTF-8
        frame.AddRange(Encoding.UTF8.GetBytes(description));
        frame.Add(0);
        frame.AddRange(Encoding.UTF8.GetBytes(value));
        var tag = new List<byte>(frame.Count + 20);
        tag.AddRange("ID3"u8.ToArray());
        tag.AddRange([0x04, 0x00, 0x00]);
        tag.AddRange(SyncSafe(10 + frame.Count));
        tag.AddRange("TXXX"u8.ToArray());
        tag.AddRange(SyncSafe(frame.Count));
        tag.AddRange([0x00, 0x00]);
        tag.AddRange(frame);
        return [.. tag];
    }

    private static byte[] SyncSafe(int size)
    {
        if (size >= 1 << 28) throw new ArgumentOutOfRangeException(nameof(size), "an ID3 size is at most 28 bits");
        return [(byte)(size >> 21 & 0x7F), (byte)(size >> 14 & 0x7F), (byte)(size >> 7 & 0x7F), (byte)(size & 0x7F)];
    }
}
