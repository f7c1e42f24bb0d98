using System.Buffers;
using Relay.Ingest.Amf0;
using Relay.Ingest.Media;

namespace Relay.Tests.Common.Media;

/// <summary>
/// Enhanced RTMP streams an E-RTMP publisher (OBS 30+) would send, built from real encodes: ffmpeg 5.1 encodes HEVC
/// (libx265) and AV1 (libsvtav1) to raw elementary streams and H.264/AAC to FLV, and <see cref="EnhancedTagBodies"/>
/// wraps them in E-RTMP v1 tags (HEVC, AV1 with legacy AAC audio, as OBS sends them) or an E-RTMP v2 two-track stream.
/// Each is made once per test run, in seconds.
/// </summary>
/// <param name="Tags">The tags in publish order: onMetaData, sequence headers, then media by timestamp.</param>
/// <param name="VideoFrames">The picture count of the video track the test checks (track 1 for the two-track stream).</param>
public sealed record EnhancedClip(IReadOnlyList<FlvTag> Tags, int Width, int Height, int VideoFrames)
{
    public const int Fps = 30;
    private const double Seconds = 3;

    private static readonly Lazy<Task<EnhancedClip>> HevcClip = new(() => BuildHevcAsync());
    private static readonly Lazy<Task<EnhancedClip>> Av1Clip = new(() => BuildAv1Async());
    private static readonly Lazy<Task<(EnhancedClip All, IReadOnlyList<FlvTag> Track0, IReadOnlyList<FlvTag> Track1)>> TwoTrackClip = new(() => BuildTwoTrackAsync());

    /// <summary>HEVC 320x240 30 fps (keyframe every second, no B-frames) + AAC, as E-RTMP v1 (FourCC hvc1).</summary>
    public static Task<EnhancedClip> HevcAsync()
    {
        Tools.RequireOrSkip("ffmpeg");
        return HevcClip.Value;
    }

    /// <summary>AV1 320x240 30 fps (keyframe every second) + AAC, as E-RTMP v1 (FourCC av01).</summary>
    public static Task<EnhancedClip> Av1Async()
    {
        Tools.RequireOrSkip("ffmpeg");
        return Av1Clip.Value;
    }

    /// <summary>
    /// An E-RTMP v2 multitrack stream as OBS's "Enable Multitrack Video" sends it: track 0 H.264 320x180 + AAC as legacy
    /// tags, track 1 H.264 180x320 (the vertical encode) as Multitrack OneTrack tags. Also returns each track's own
    /// legacy tags (what a single-track reader of that track must receive, byte for byte).
    /// </summary>
    public static Task<(EnhancedClip All, IReadOnlyList<FlvTag> Track0, IReadOnlyList<FlvTag> Track1)> TwoTrackAsync()
    {
        Tools.RequireOrSkip("ffmpeg");
        return TwoTrackClip.Value;
    }

    private static string TempFile(string name) => Path.Combine(Path.GetTempPath(), $"relay-ertmp-{Environment.ProcessId}-{name}");

    private static async Task<IReadOnlyList<FlvTag>> AacTagsAsync()
    {
        var path = TempFile("audio.flv");
        await Tools.RunAsync("ffmpeg", "-nostdin", "-y", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-t", Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c:a", "aac", "-b:a", "64k", "-f", "flv", path);
        return TestClip.Parse(await File.ReadAllBytesAsync(path)).Where(t => t.IsAudio).ToList();
    }

    private static string[] VideoInput(int width, int height) =>
        ["-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate={Fps}", "-t", Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-pix_fmt", "yuv420p"];

    private static async Task<EnhancedClip> BuildHevcAsync()
    {
        var path = TempFile("video.hevc");
        await Tools.RunAsync("ffmpeg", ["-nostdin", "-y", "-loglevel", "error", .. VideoInput(320, 240), "-c:v", "libx265", "-preset", "ultrafast",
            "-x265-params", $"aud=1:keyint={Fps}:min-keyint={Fps}:scenecut=0:bframes=0:log-level=error", "-f", "hevc", path]);
        var units = ElementaryUnits.HevcAccessUnits(await File.ReadAllBytesAsync(path));
        var first = units[0];
        var record = EnhancedTagBodies.HevcConfigurationRecord(
            first.First(n => ElementaryUnits.HevcType(n) == ElementaryUnits.HevcVps),
            first.First(n => ElementaryUnits.HevcType(n) == ElementaryUnits.HevcSps),
            first.First(n => ElementaryUnits.HevcType(n) == ElementaryUnits.HevcPps));
        var video = new List<FlvTag> { FlvTag.Create(FlvTagType.Video, 0, EnhancedTagBodies.Video(true, 0, EnhancedTagBodies.Hevc, record)) };
        for (var i = 0; i < units.Count; i++)
        {
            // Parameter sets travel in the record, as OBS sends them.
            var frame = units[i].Where(n => ElementaryUnits.HevcType(n) is not (ElementaryUnits.HevcVps or ElementaryUnits.HevcSps or ElementaryUnits.HevcPps));
            video.Add(FlvTag.Create(FlvTagType.Video, FrameTime(i), EnhancedTagBodies.HevcFrame(ElementaryUnits.IsHevcKeyframe(units[i]), frame)));
        }

        return new EnhancedClip(Merge(Metadata(320, 240, "hvc1"), video, await AacTagsAsync()), 320, 240, units.Count);
    }

    private static async Task<EnhancedClip> BuildAv1Async()
    {
        var path = TempFile("video.obu");
        await Tools.RunAsync("ffmpeg", ["-nostdin", "-y", "-loglevel", "error", .. VideoInput(320, 240), "-c:v", "libsvtav1", "-preset", "12",
            "-g", Fps.ToString(System.Globalization.CultureInfo.InvariantCulture), "-f", "obu", path]);
        var units = ElementaryUnits.Av1TemporalUnits(await File.ReadAllBytesAsync(path));
        var sequenceHeader = units[0].First(o => o.Type == 1).Bytes;
        var video = new List<FlvTag> { FlvTag.Create(FlvTagType.Video, 0, EnhancedTagBodies.Video(true, 0, EnhancedTagBodies.Av1, EnhancedTagBodies.Av1ConfigurationRecord(sequenceHeader))) };
        for (var i = 0; i < units.Count; i++)
        {
            var payload = units[i].SelectMany(o => o.Bytes).ToArray();
            video.Add(FlvTag.Create(FlvTagType.Video, FrameTime(i), EnhancedTagBodies.Video(ElementaryUnits.IsAv1Keyframe(units[i]), 1, EnhancedTagBodies.Av1, payload)));
        }

        return new EnhancedClip(Merge(Metadata(320, 240, "av01"), video, await AacTagsAsync()), 320, 240, units.Count);
    }

    private static async Task<(EnhancedClip, IReadOnlyList<FlvTag>, IReadOnlyList<FlvTag>)> BuildTwoTrackAsync()
    {
        async Task<IReadOnlyList<FlvTag>> H264Async(string name, int width, int height)
        {
            var path = TempFile(name);
            await Tools.RunAsync("ffmpeg", ["-nostdin", "-y", "-loglevel", "error", .. VideoInput(width, height), "-c:v", "libx264", "-preset", "ultrafast",
                "-tune", "zerolatency", "-g", Fps.ToString(System.Globalization.CultureInfo.InvariantCulture), "-an", "-f", "flv", path]);
            // The muxer's trailing end-of-sequence tag is not part of a live stream.
            return TestClip.Parse(await File.ReadAllBytesAsync(path)).Where(t => t.Kind is FlvTagKind.VideoSequenceHeader or FlvTagKind.VideoKeyframe or FlvTagKind.VideoInterframe).ToList();
        }

        var track0 = await H264Async("track0.flv", 320, 180);
        var track1 = await H264Async("track1.flv", 180, 320);
        var multitrack = track1.Select(t => FlvTag.Create(FlvTagType.Video, t.Timestamp, EnhancedTagBodies.AvcAsOneTrack(t.Body.Span, 1))).ToList();
        var all = Merge(Metadata(320, 180, "avc1"), [.. track0, .. multitrack], await AacTagsAsync());
        return (new EnhancedClip(all, 180, 320, track1.Count(t => t.Kind != FlvTagKind.VideoSequenceHeader)), track0, track1);
    }

    private static uint FrameTime(int index) => (uint)Math.Round(index * 1000.0 / Fps);

    private static FlvTag Metadata(int width, int height, string fourCc)
    {
        var body = new ArrayBufferWriter<byte>();
        Amf0Writer.WriteString(body, "onMetaData");
        Amf0Writer.WriteValue(body, new Amf0Object
        {
            ["width"] = (double)width,
            ["height"] = (double)height,
            ["framerate"] = (double)Fps,
            // E-RTMP: videocodecid is the FourCC as a number.
            ["videocodecid"] = (double)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(System.Text.Encoding.ASCII.GetBytes(fourCc)),
            ["audiocodecid"] = 10.0,
        });
        return FlvTag.Create(FlvTagType.Script, 0, body.WrittenSpan);
    }

    /// <summary>Metadata first, then sequence headers, then media in timestamp order (video before audio at a tie).</summary>
    private static List<FlvTag> Merge(FlvTag metadata, IEnumerable<FlvTag> video, IEnumerable<FlvTag> audio) =>
        [metadata, .. video.Concat(audio).OrderBy(t => t.IsSequenceHeader ? 0 : 1).ThenBy(t => t.Timestamp).ThenBy(t => t.IsAudio ? 1 : 0)];
}
