using System.Buffers;
using Relay.Ingest.Egress;
using Relay.Ingest.Media;
using Relay.Ingest.Streams;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Unit.Ingest.Media;

/// <summary>
/// Enhanced RTMP v1/v2 parsing where the fan-out depends on it: tag kinds (keyframe, sequence start and end, metadata
/// and command packets, ModEx prefixes, multitrack), codecs, tracks, the hub's per-track headers and cache, and the
/// track selector that turns a multitrack stream into one plain single-track stream.
/// </summary>
public class EnhancedRtmpParsingTests
{
    private static readonly byte[] Hvc1 = "hvc1"u8.ToArray();
    private static readonly byte[] Avc1 = "avc1"u8.ToArray();

    private static FlvTag Video(uint timestamp, params byte[] body) => FlvTag.Create(FlvTagType.Video, timestamp, body);

    private static byte[] Ex(int frameType, int packetType, byte[] fourCc, params byte[] payload) =>
        [(byte)(0x80 | frameType << 4 | packetType), .. fourCc, .. payload];

    /// <summary>A v2 ManyTracks (same codec) body: each track as id, UI24 size, data.</summary>
    private static byte[] ManyTracks(int frameType, int packetType, byte[] fourCc, params (int Id, byte[] Data)[] tracks)
    {
        var body = new List<byte> { (byte)(0x80 | frameType << 4 | 6), (byte)(1 << 4 | packetType) };
        body.AddRange(fourCc);
        foreach (var (id, data) in tracks)
        {
            body.Add((byte)id);
            body.AddRange([(byte)(data.Length >> 16), (byte)(data.Length >> 8), (byte)data.Length]);
            body.AddRange(data);
        }

        return [.. body];
    }

    [Fact]
    public void Enhanced_video_headers_classify_by_packet_type_and_frame_type()
    {
        Assert.Equal(FlvTagKind.VideoSequenceHeader, Video(0, Ex(1, 0, Hvc1, 1, 2, 3)).Kind);
        Assert.Equal(FlvTagKind.VideoKeyframe, Video(0, Ex(1, 1, Hvc1, 0, 0, 0, 9)).Kind);
        Assert.Equal(FlvTagKind.VideoInterframe, Video(0, Ex(2, 3, Hvc1, 9)).Kind);
        Assert.Equal(FlvTagKind.VideoEndOfSequence, Video(0, Ex(1, 2, Hvc1)).Kind);
        // colorInfo metadata and command frames carry no picture: never a keyframe, never in the GOP.
        Assert.Equal(FlvTagKind.Other, Video(0, Ex(5, 4, "av01"u8.ToArray(), 2, 0, 9)).Kind);
        Assert.Equal(FlvTagKind.Other, Video(0, Ex(5, 1, Hvc1, 0)).Kind);
        // ModEx (TimestampOffsetNano, 3 bytes) before CodedFrames: the real packet type follows the prefix.
        Assert.Equal(FlvTagKind.VideoKeyframe, Video(0, [0x80 | 1 << 4 | 7, 2, 0, 1, 2, 0 << 4 | 1, .. Hvc1, 0, 0, 0, 9]).Kind);
        Assert.Equal("hevc", FlvCodecs.VideoCodecName(Ex(1, 1, Hvc1, 0, 0, 0, 9)));
        Assert.Equal("av1", FlvCodecs.VideoCodecName(Ex(1, 0, "av01"u8.ToArray(), 0x81)));
        // Too short or truncated: no exception, no keyframe.
        Assert.Equal(FlvTagKind.Other, Video(0, 0x91, 0x68).Kind);
        Assert.Equal(FlvTagKind.Other, Video(0, 0x80 | 1 << 4 | 7, 250).Kind);
    }

    [Fact]
    public void Multitrack_tags_carry_their_track_and_codec_and_a_selector_rewrites_the_wanted_track_to_a_plain_tag()
    {
        var avcFrame = new byte[] { 0, 0, 0x21, 0, 0, 0, 2, 0x65, 0x88 }; // CTS 33, one NAL unit
        var many = Video(40, ManyTracks(1, 1, Avc1, (0, avcFrame), (1, [0, 0, 0, 0, 0, 0, 1, 0x65])));
        Assert.Equal(FlvTagKind.VideoKeyframe, many.Kind);
        Assert.Equal(0, many.Track);
        var oneTrack = Video(40, [0x80 | 1 << 4 | 6, 0 << 4 | 0, .. Hvc1, 3, 1, 2, 3]);
        Assert.Equal((FlvTagKind.VideoSequenceHeader, 3), (oneTrack.Kind, oneTrack.Track));
        Assert.Equal("hevc", FlvCodecs.VideoCodecName(oneTrack.Body.Span, 3));
        Assert.Null(FlvCodecs.VideoCodecName(oneTrack.Body.Span, 0));

        // Track 0 of an H.264 multitrack tag becomes the legacy AVC tag a legacy reader knows, composition time kept.
        var legacy = new FlvTrackSelector(0).Select(many)!;
        Assert.Equal(new byte[] { 0x17, 1, 0, 0, 0x21, 0, 0, 0, 2, 0x65, 0x88 }, legacy.Body.ToArray());
        Assert.Equal((40u, FlvTagKind.VideoKeyframe), (legacy.Timestamp, legacy.Kind));
        // Track 3 (HEVC) becomes a single-track E-RTMP tag; the legacy track-0 reader never sees it.
        Assert.Equal(Ex(1, 0, Hvc1, 1, 2, 3), new FlvTrackSelector(3).Select(oneTrack)!.Body.ToArray());
        Assert.Null(new FlvTrackSelector(0).Select(oneTrack));

        // A single-track tag is track 0 and passes as the same instance; a non-default track waits for its keyframe.
        var plain = Video(0, 0x17, 1, 0, 0, 0, 0, 0, 0, 1, 0x65);
        Assert.Same(plain, new FlvTrackSelector(0).Select(plain));
        var selector = new FlvTrackSelector(1);
        Assert.Null(selector.Select(plain));
        Assert.Null(selector.Select(Video(10, ManyTracks(2, 1, Avc1, (1, [0, 0, 0, 0, 0, 0, 1, 0x41])))));
        Assert.NotNull(selector.Select(Video(20, ManyTracks(1, 1, Avc1, (1, [0, 0, 0, 0, 0, 0, 1, 0x65])))));
        Assert.NotNull(selector.Select(Video(30, ManyTracks(2, 1, Avc1, (1, [0, 0, 0, 0, 0, 0, 1, 0x41])))));

        // A size that runs past the body: not the track, no exception.
        var broken = Video(0, [0x80 | 1 << 4 | 6, 1 << 4 | 1, .. Avc1, 1, 0xFF, 0xFF, 0xFF, 1]);
        Assert.Null(new FlvTrackSelector(1).Select(broken));
        Assert.Null(new FlvTrackSelector(0).Select(broken));
    }

    [Fact]
    public void Multitrack_audio_is_reduced_to_track_0_as_legacy_AAC()
    {
        var body = new List<byte> { 9 << 4 | 5, 1 << 4 | 1 };
        body.AddRange("mp4a"u8.ToArray());
        body.AddRange([0, 0, 0, 2, 0x21, 0x10, 1, 0, 0, 1, 0x99]);
        var tag = FlvTag.Create(FlvTagType.Audio, 5, [.. body]);
        Assert.Equal(new byte[] { 0xAF, 1, 0x21, 0x10 }, new FlvTrackSelector(0).Select(tag)!.Body.ToArray());
        var onlyOther = FlvTag.Create(FlvTagType.Audio, 5, [9 << 4 | 5, 0 << 4 | 1, .. "mp4a"u8.ToArray(), 2, 0x21]);
        Assert.Equal(2, onlyOther.Track);
        Assert.Null(new FlvTrackSelector(0).Select(onlyOther));
    }

    [Fact]
    public void The_hub_keeps_each_tracks_sequence_header_and_caches_from_track_0_keyframes_only()
    {
        var hub = new StreamHub("mt", DateTimeOffset.UtcNow);
        var header0 = Video(0, 0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1F);
        var header1 = Video(0, [0x80 | 1 << 4 | 6, 0, .. Hvc1, 1, 1, 2, 3]);
        hub.Publish(header0);
        hub.Publish(header1);
        var key0 = Video(0, 0x17, 1, 0, 0, 0, 0, 0, 0, 1, 0x65);
        hub.Publish(key0);
        var key1 = Video(10, [0x80 | 1 << 4 | 6, 1, .. Hvc1, 1, 0, 0, 0, 9]);
        hub.Publish(key1);
        var inter0 = Video(33, 0x27, 1, 0, 0, 0, 0, 0, 0, 1, 0x41);
        hub.Publish(inter0);

        using var late = hub.Subscribe("late");
        var start = new List<FlvTag>();
        while (late.Reader.TryRead(out var tag)) start.Add(tag);
        // Both headers, then the GOP from track 0's keyframe: track 1's keyframe did not restart it.
        Assert.Equal([header0, header1, key0, key1, inter0], start);
        Assert.Equal("h264", hub.VideoCodecOf(0));
        Assert.Equal("hevc", hub.VideoCodecOf(1));
        Assert.Null(hub.VideoCodecOf(2));
        // The status describes the default track.
        Assert.Equal("h264", hub.GetStatus().VideoCodec);
    }

    [Fact]
    public void The_veovera_av1_opus_vector_parses_into_keyframes_headers_and_codecs()
    {
        var tags = TestClip.Parse(Captures.VeoveraAv1Opus);
        var video = tags.Where(t => t.IsVideo).ToList();
        Assert.Equal(2, video.Count(t => t.Kind == FlvTagKind.VideoSequenceHeader));
        Assert.Equal(1, video.Count(t => t.Kind == FlvTagKind.Other)); // the colorInfo metadata packet
        Assert.Equal(3, video.Count(t => t.IsKeyframe));
        Assert.All(tags, t => Assert.Equal(0, t.Track));
        var hub = new StreamHub("veovera", DateTimeOffset.UtcNow);
        foreach (var tag in tags) hub.Publish(tag);
        var status = hub.GetStatus();
        Assert.Equal(("av1", "opus"), (status.VideoCodec, status.AudioCodec));
        Assert.Equal(1, tags.Count(t => t.Kind == FlvTagKind.AudioSequenceHeader));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData(0, true)]
    [InlineData(255, true)]
    [InlineData(256, false)]
    [InlineData(-1, false)]
    public void A_destination_track_id_is_one_byte(int? trackId, bool valid)
    {
        var destination = new EgressDestination("d", "d", "custom", "rtmp://127.0.0.1/live", "k", true, TrackId: trackId);
        Assert.Equal(valid, !EgressDestinationValidator.Validate(destination).Any(e => e.Field == "trackId"));
    }
}
