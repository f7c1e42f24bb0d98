using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Relay.Ingest.Consumers.Hls;
using Relay.Ingest.Media;

namespace Relay.Tests.Unit.Ingest.Consumers.Hls;

/// <summary>The LL-HLS muxer on synthetic FLV tags: where parts and segments are cut, what the playlist says, what is kept.</summary>
public sealed partial class LowLatencyMuxerTests
{
    private static readonly byte[] AvcRecord = [1, 0x64, 0x00, 0x1F, 0xFF, 0xE1, 0x00, 0x00, 0x01, 0x00, 0x00];

    [Fact]
    public void Parts_close_at_the_part_target_and_segments_at_a_keyframe_after_the_segment_length()
    {
        var (stream, muxer) = New();
        Headers(muxer, AvcRecord);
        Frames(muxer, fromMs: 0, toMs: 4500, keyEveryMs: 2000);

        var playlist = stream.Playlist();
        var segments = Segment().Matches(playlist);
        Assert.Equal(["0", "1"], segments.Select(m => m.Groups[2].Value));
        Assert.All(segments, m => Assert.Equal("2.000", m.Groups[1].Value));
        var parts = Part().Matches(playlist).ToList();
        Assert.All(parts, p => Assert.InRange(double.Parse(p.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 0.15, 0.2));
        Assert.Equal(10, parts.Count(p => p.Groups[2].Value == "0"));
        Assert.Equal(2, parts.Count(p => p.Value.Contains("INDEPENDENT=YES") && p.Groups[2].Value is "0" or "1"));
        Assert.Contains("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part2.", playlist);
        Assert.DoesNotContain("#EXT-X-DISCONTINUITY", playlist);
        Assert.Equal(stream.Segment(0), Concat(Enumerable.Range(0, 10).Select(i => stream.Part(0, i)!)));
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(stream.Init(1)!, 4, 4));
    }

    [Fact]
    public void New_codec_parameters_start_a_segment_with_a_new_init_and_a_discontinuity_at_the_next_keyframe()
    {
        var (stream, muxer) = New();
        Headers(muxer, AvcRecord);
        Frames(muxer, fromMs: 0, toMs: 3000, keyEveryMs: 2000);
        Headers(muxer, [1, 0x42, 0x00, 0x1E, 0xFF, 0xE1, 0x00, 0x00, 0x01, 0x00, 0x00]);
        Frames(muxer, fromMs: 3000, toMs: 4000, keyEveryMs: 500);

        var playlist = stream.Playlist();
        Assert.Contains("#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init2.mp4\"", playlist);
        Assert.NotNull(stream.Init(1));
        Assert.NotNull(stream.Init(2));
        muxer.Finish();
        Assert.EndsWith("#EXT-X-ENDLIST\n", stream.Playlist());
        Assert.True(stream.Has(long.MaxValue, null), "an ended stream answers every blocking request");
    }

    [Fact]
    public void Only_the_playlist_s_segments_are_kept_and_parts_only_for_the_newest()
    {
        var (stream, muxer) = New();
        Headers(muxer, AvcRecord);
        Frames(muxer, fromMs: 0, toMs: 30_000, keyEveryMs: 2000);

        var playlist = stream.Playlist();
        var listed = Segment().Matches(playlist).Select(m => long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.InRange(listed.Count, 5, 6);
        Assert.Null(stream.Segment(0));
        Assert.Null(stream.Part(listed[0], 0));
        Assert.NotNull(stream.Segment(listed[0]));
        Assert.NotNull(stream.Part(listed[^1], 0));
        Assert.Contains($"#EXT-X-MEDIA-SEQUENCE:{listed[0]}", playlist);
        Assert.False(stream.IsNext(listed[^1] + 5, 0));
    }

    [Fact]
    public void A_stream_that_is_not_h264_is_not_packaged_and_says_why()
    {
        var (stream, muxer) = New();
        muxer.Add(FlvTag.Create(FlvTagType.Video, 0, [0x1C, 0x00, 0, 0, 0, 1, 2, 3])); // codec id 12 (HEVC, legacy spelling)
        muxer.Add(FlvTag.Create(FlvTagType.Video, 0, [0x1C, 0x01, 0, 0, 0, 0, 0, 0, 1, 0x26]));
        Assert.NotNull(muxer.Unsupported);
        Assert.False(stream.HasPlaylist);
    }

    [Fact]
    public void A_cue_point_becomes_timed_id3_before_the_next_part_s_moof()
    {
        var (stream, muxer) = New();
        Headers(muxer, AvcRecord);
        Frames(muxer, fromMs: 0, toMs: 1000, keyEveryMs: 2000);
        muxer.Add(CuePointTag.Create(1000, seq: 42, "pin", "TEE"));
        Frames(muxer, fromMs: 1000, toMs: 1500, keyEveryMs: 2000);

        var withCue = Enumerable.Range(0, 8).Select(i => stream.Part(0, i)).Where(p => p is not null && System.Text.Encoding.ASCII.GetString(p, 4, 4) == "emsg").ToList();
        var part = Assert.Single(withCue)!;
        var size = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(part);
        Assert.Equal("moof", System.Text.Encoding.ASCII.GetString(part, size + 4, 4));
        Assert.Equal(90_000u * 1, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(part.AsSpan(12)));
        Assert.Equal(1000UL * 90, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(part.AsSpan(16)));
        var text = System.Text.Encoding.UTF8.GetString(part, 0, size);
        Assert.Contains(Id3Emsg.SchemeId, text);
        Assert.Contains("relay-cue\0{\"seq\":42,\"kind\":\"pin\",\"id\":\"TEE\",\"time\":1}", text);
        Assert.StartsWith("ID3", text[text.IndexOf("ID3", StringComparison.Ordinal)..]);
    }

    [Theory]
    [InlineData(new byte[] { 0x12, 0x10 }, 44100, 2)]
    [InlineData(new byte[] { 0x11, 0x90 }, 48000, 2)]
    [InlineData(new byte[] { 0x11, 0x88 }, 48000, 1)]
    public void Aac_configs_give_their_rate_and_channels(byte[] config, int rate, int channels)
    {
        Assert.True(AacAudioConfig.TryRead(config, out var aac));
        Assert.Equal((rate, channels), (aac.SampleRate, aac.Channels));
    }

    [Theory]
    [InlineData(new byte[] { 0x12 })]
    [InlineData(new byte[] { 0x17, 0x80 })]   // rate index 15: an explicit rate, not written by encoders for standard rates
    [InlineData(new byte[] { 0x12, 0x00 })]   // channel config 0: defined elsewhere, not supported
    public void Aac_configs_that_cannot_be_described_are_refused(byte[] config) => Assert.False(AacAudioConfig.TryRead(config, out _));

    private static (LowLatencyStream Stream, LowLatencyMuxer Muxer) New()
    {
        var options = new HlsOptions { SegmentSeconds = 1, PartSeconds = 0.2, PlaylistSize = 5 };
        var stream = new LowLatencyStream(options);
        return (stream, new LowLatencyMuxer(stream, options, new FakeTimeProvider()));
    }

    private static void Headers(LowLatencyMuxer muxer, byte[] avcRecord)
    {
        muxer.Add(FlvTag.Create(FlvTagType.Video, 0, [0x17, 0x00, 0, 0, 0, .. avcRecord]));
        muxer.Add(FlvTag.Create(FlvTagType.Audio, 0, [0xAF, 0x00, 0x12, 0x10]));
    }

    /// <summary>30 fps video with a keyframe every <paramref name="keyEveryMs"/> and AAC frames every 23 ms.</summary>
    private static void Frames(LowLatencyMuxer muxer, int fromMs, int toMs, int keyEveryMs)
    {
        var audioMs = fromMs;
        for (var frame = 0; ; frame++)
        {
            var ms = fromMs + (int)Math.Round(frame * 1000 / 30.0);
            if (ms >= toMs) break;
            while (audioMs <= ms)
            {
                muxer.Add(FlvTag.Create(FlvTagType.Audio, (uint)audioMs, [0xAF, 0x01, 0x21, 0x00]));
                audioMs += 23;
            }

            var key = (ms - fromMs) % keyEveryMs < 17;
            muxer.Add(FlvTag.Create(FlvTagType.Video, (uint)ms, [(byte)(key ? 0x17 : 0x27), 0x01, 0, 0, 0, 0, 0, 0, 2, 0x65, 0x88]));
        }
    }

    private static byte[] Concat(IEnumerable<byte[]> parts) => [.. parts.SelectMany(p => p)];

    [GeneratedRegex("""#EXTINF:([0-9.]+),\nseg(\d+)\.m4s""")]
    private static partial Regex Segment();

    [GeneratedRegex("""#EXT-X-PART:DURATION=([0-9.]+),URI="part(\d+)\.(\d+)\.m4s"[^\n]*""")]
    private static partial Regex Part();
}
