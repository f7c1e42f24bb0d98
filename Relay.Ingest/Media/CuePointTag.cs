using System.Buffers;
using Relay.Ingest.Amf0;

namespace Relay.Ingest.Media;

/// <summary>
/// The <c>onCuePoint</c> script tag a media-time event is written as (docs/playback.md, "Cue points"): the data message
/// Flash's cue points used, which FLV players hand to the page (mpegts.js as <c>SCRIPTDATA_ARRIVED</c>):
/// <c>"onCuePoint", {name: kind, time: seconds of stream time, type: "event", parameters: {seq, kind, id}}</c>.
/// </summary>
public static class CuePointTag
{
    public const string Name = "onCuePoint";

    /// <summary>The body's start: the AMF0 string marker, its 16-bit length, then <see cref="Name"/>.</summary>
    private static ReadOnlySpan<byte> Prefix => [0x02, 0x00, 0x0A, (byte)'o', (byte)'n', (byte)'C', (byte)'u', (byte)'e', (byte)'P', (byte)'o', (byte)'i', (byte)'n', (byte)'t'];

    /// <summary>True for a script tag body that is an <c>onCuePoint</c> (ours or a publisher's).</summary>
    public static bool IsCuePoint(ReadOnlySpan<byte> scriptBody) => scriptBody.StartsWith(Prefix);

    public static FlvTag Create(uint timestamp, long seq, string kind, string id)
    {
        var body = new ArrayBufferWriter<byte>(128);
        Amf0Writer.WriteString(body, Name);
        Amf0Writer.WriteObject(body, new Amf0Object
        {
            ["name"] = kind,
            ["time"] = timestamp / 1000.0,
            ["type"] = "event",
            ["parameters"] = new Amf0Object { ["seq"] = seq, ["kind"] = kind, ["id"] = id },
        });
        return FlvTag.Create(FlvTagType.Script, timestamp, body.WrittenSpan);
    }
}
