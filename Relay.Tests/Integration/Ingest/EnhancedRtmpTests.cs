using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Relay.Ingest.Media;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;

namespace Relay.Tests.Integration.Ingest;

/// <summary>
/// Enhanced RTMP from a real socket (the tests' E-RTMP publisher: real x265/SVT-AV1/x264 encodes in E-RTMP tags, since
/// ffmpeg 5.1 cannot write them) through the whole server: HEVC and AV1 reach a custom destination (node-media-server 4,
/// an independent E-RTMP implementation, read back over its HTTP-FLV) and Relay's own HTTP-FLV byte for byte and decode
/// frame for frame; a platform that takes H.264 only is never sent them and says why; with E-RTMP v2 multitrack, a
/// destination's trackId picks the video track it gets, as a plain single-track stream.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class EnhancedRtmpTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("hevc", "hvc1")]
    [InlineData("av1", "av01")]
    public async Task Hevc_and_av1_pass_through_to_a_custom_destination_and_HTTP_FLV_intact_and_an_H264_platform_gets_a_clear_failure(string codec, string fourCc)
    {
        var clip = codec == "hevc" ? await EnhancedClip.HevcAsync() : await EnhancedClip.Av1Async();
        await using var sink = await NodeMediaServerPeer.StartAsync();
        await using var server = await RelayTestServer.StartAsync();
        server.AllowedErrors.Add("Egress demo/douyin failed"); // provoked: the refusal is logged once
        using var admin = server.AdminClient();
        var key = server.Channels.Find("demo")!.StreamKey;
        await AddDestinationAsync(admin, $$"""{"id":"custom","name":"custom sink","platform":"custom","url":"rtmp://127.0.0.1:{{sink.RtmpPort}}/live","streamKey":"ertmp-sink"}""");
        // Douyin's edge: a listener that only notes whether anyone connected.
        using var douyinEdge = new TcpListener(IPAddress.Loopback, 0);
        douyinEdge.Start();
        var douyinPort = ((IPEndPoint)douyinEdge.LocalEndpoint).Port;
        await AddDestinationAsync(admin, $$"""{"id":"douyin","name":"Douyin","platform":"douyin","url":"rtmp://127.0.0.1:{{douyinPort}}/live","streamKey":"douyin-sink"}""");

        var clock = Stopwatch.StartNew();
        await using var publisher = await TagPublisher.StartAsync(server.RtmpPort, key, Ct);
        var sending = TagPublisher.SendAsync(publisher, clip.Tags, Ct);
        using var viewerHttp = new HttpClient();
        var viewer = FlvHttpReader.ReadAsync(viewerHttp, new Uri(server.BaseAddress, "/live/demo.flv"), TimeSpan.FromSeconds(5), Ct);
        await using var atSink = await sink.PlayAsync("live", "ertmp-sink", clock, Ct);
        await sending;
        var sinkDeadline = clock.Elapsed + TimeSpan.FromSeconds(5);
        while (clock.Elapsed < sinkDeadline && atSink.Tags.LastOrDefault().Timestamp < clip.Tags[^1].Timestamp - 100) await Task.Delay(50, Ct);

        var channel = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/demo", Ct)).RootElement;
        var ingest = channel.GetProperty("ingest");
        Assert.Equal(codec, ingest.GetProperty("videoCodec").GetString());
        Assert.Equal("aac", ingest.GetProperty("audioCodec").GetString());
        Assert.Equal(320, ingest.GetProperty("width").GetInt32());
        Assert.Equal(240, ingest.GetProperty("height").GetInt32());
        Assert.InRange(ingest.GetProperty("keyframeIntervalSeconds").GetDouble(), 0.9, 1.1);

        // A platform whose RTMP push takes H.264 only is never sent HEVC/AV1: failed, with the reason, and no publish.
        var douyin = Destination(channel, "douyin");
        Assert.Equal("failed", douyin.GetProperty("state").GetString());
        Assert.Contains($"Douyin takes H.264 video only and the stream (video track 0) is {(codec == "hevc" ? "HEVC" : "AV1")}", douyin.GetProperty("lastError").GetString());
        Assert.False(douyinEdge.Pending(), "Relay connected to the H.264-only platform");

        // HLS: the packager (ffmpeg 5.1) cannot read E-RTMP, so it is off for this session and the playlist says why.
        using (var playlist = await viewerHttp.GetAsync(new Uri(server.BaseAddress, "/live/demo/index.m3u8"), Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, playlist.StatusCode);
            Assert.Contains("no HLS for this codec", await playlist.Content.ReadAsStringAsync(Ct));
        }

        Assert.Equal("live", Destination(channel, "custom").GetProperty("state").GetString());
        var atSinkTags = await RecordedAsync(atSink);
        await AssertIntactAsync(clip, fourCc, atSinkTags, "the custom destination");
        await AssertIntactAsync(clip, fourCc, (await viewer).Tags.Select(t => t.Tag).ToList(), "HTTP-FLV");
    }

    [Fact]
    public async Task With_multitrack_a_destination_gets_the_video_track_its_trackId_names_as_a_plain_stream_and_the_others_track_0()
    {
        var (clip, track0, track1) = await EnhancedClip.TwoTrackAsync();
        await using var sink = await NodeMediaServerPeer.StartAsync();
        await using var server = await RelayTestServer.StartAsync();
        server.AllowedErrors.Add("Egress demo/missing failed"); // provoked: a track the publisher does not send
        using var admin = server.AdminClient();
        var key = server.Channels.Find("demo")!.StreamKey;
        await AddDestinationAsync(admin, $$"""{"id":"vertical","name":"Vertical","platform":"custom","url":"rtmp://127.0.0.1:{{sink.RtmpPort}}/live","streamKey":"track-1","trackId":1}""");
        await AddDestinationAsync(admin, $$"""{"id":"legacy","name":"Legacy","platform":"custom","url":"rtmp://127.0.0.1:{{sink.RtmpPort}}/live","streamKey":"track-0"}""");
        await AddDestinationAsync(admin, $$"""{"id":"missing","name":"No such track","platform":"custom","url":"rtmp://127.0.0.1:{{sink.RtmpPort}}/live","streamKey":"track-7","trackId":7}""");
        var bad = await admin.PatchAsync("/api/v1/channels/demo/destinations/legacy", RelayServerTest.JsonBody("""{"trackId":256}"""), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("trackId", await bad.Content.ReadAsStringAsync(Ct));

        var clock = Stopwatch.StartNew();
        await using var publisher = await TagPublisher.StartAsync(server.RtmpPort, key, Ct);
        var sending = TagPublisher.SendAsync(publisher, clip.Tags, Ct);
        using var viewerHttp = new HttpClient();
        var viewer = FlvHttpReader.ReadAsync(viewerHttp, new Uri(server.BaseAddress, "/live/demo.flv"), TimeSpan.FromSeconds(5), Ct);
        await using var vertical = await sink.PlayAsync("live", "track-1", clock, Ct);
        await using var legacy = await sink.PlayAsync("live", "track-0", clock, Ct);
        await sending;
        await Task.Delay(1000, Ct);

        var channel = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/demo", Ct)).RootElement;
        Assert.Equal(1, Destination(channel, "vertical").GetProperty("trackId").GetInt32());
        Assert.Equal(JsonValueKind.Null, Destination(channel, "legacy").GetProperty("trackId").ValueKind);
        var missing = Destination(channel, "missing");
        Assert.Equal("failed", missing.GetProperty("state").GetString());
        Assert.StartsWith("the publisher sends no video track 7", missing.GetProperty("lastError").GetString());
        // The status describes the default track.
        Assert.Equal(320, channel.GetProperty("ingest").GetProperty("width").GetInt32());

        AssertSingleTrack(track1, await RecordedAsync(vertical), "trackId 1");
        AssertSingleTrack(track0, await RecordedAsync(legacy), "no trackId");
        AssertSingleTrack(track0, (await viewer).Tags.Select(t => t.Tag).ToList(), "HTTP-FLV");

        // What the vertical destination got is a plain H.264 stream ffmpeg 5.1 reads: 180x320.
        var probe = JsonDocument.Parse(await Tools.RunAsync("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height",
            "-of", "json", vertical.RecordingPath)).RootElement.GetProperty("streams")[0];
        Assert.Equal(("h264", 180, 320), (probe.GetProperty("codec_name").GetString(), probe.GetProperty("width").GetInt32(), probe.GetProperty("height").GetInt32()));
    }

    /// <summary>Stops the sink's recorder (it holds its file locked while it writes) and parses what it recorded.</summary>
    private static async Task<IReadOnlyList<FlvTag>> RecordedAsync(FlvSinkRecorder recorder)
    {
        await recorder.DisposeAsync();
        return TestClip.Parse(await File.ReadAllBytesAsync(recorder.RecordingPath, Ct));
    }

    private static async Task AddDestinationAsync(HttpClient admin, string json)
    {
        var created = await admin.PostAsync("/api/v1/channels/demo/destinations", RelayServerTest.JsonBody(json), Ct);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Ct));
    }

    private static JsonElement Destination(JsonElement channel, string id) =>
        channel.GetProperty("destinations").EnumerateArray().Single(d => d.GetProperty("id").GetString() == id);

    /// <summary>
    /// The received video is the published video from one of its keyframes on, body for body, nothing missing, nothing
    /// changed, and the rebuilt elementary stream decodes every received frame at the published size.
    /// </summary>
    private static async Task AssertIntactAsync(EnhancedClip clip, string fourCc, IReadOnlyList<FlvTag> received, string where)
    {
        var sent = clip.Tags.Where(t => t.IsVideo && t.Kind != FlvTagKind.VideoSequenceHeader).ToList();
        var got = received.Where(t => t.IsVideo && t.Kind != FlvTagKind.VideoSequenceHeader).ToList();
        Assert.True(got.Count >= sent.Count / 2, $"{where}: {got.Count} of {sent.Count} frames");
        var start = sent.FindIndex(t => t.Body.Span.SequenceEqual(got[0].Body.Span));
        Assert.True(start >= 0 && sent[start].IsKeyframe, $"{where}: the first frame is not a published keyframe");
        for (var i = 0; i < got.Count; i++)
        {
            Assert.True(sent[start + i].Body.Span.SequenceEqual(got[i].Body.Span), $"{where}: frame {start + i} differs");
        }

        Assert.Contains(received, t => t.Kind == FlvTagKind.VideoSequenceHeader
            && t.Body.Span.SequenceEqual(clip.Tags.First(s => s.Kind == FlvTagKind.VideoSequenceHeader).Body.Span));
        var decoded = await ElementaryStreamProbe.DecodeAsync(received, fourCc);
        Assert.Equal((clip.Width, clip.Height, got.Count), (decoded.Width, decoded.Height, decoded.Frames));
    }

    /// <summary>A plain single-track stream: no E-RTMP tag left, and the video is exactly the track's own legacy tags from a keyframe on.</summary>
    private static void AssertSingleTrack(IReadOnlyList<FlvTag> track, IReadOnlyList<FlvTag> received, string where)
    {
        var video = received.Where(t => t.IsVideo).ToList();
        Assert.All(video, t => Assert.True((t.Body.Span[0] & 0x80) == 0, $"{where}: an E-RTMP tag reached a single-track reader"));
        Assert.Equal(track[0].Body.ToArray(), video.First(t => t.Kind == FlvTagKind.VideoSequenceHeader).Body.ToArray());
        var frames = video.Where(t => t.Kind != FlvTagKind.VideoSequenceHeader).ToList();
        var sent = track.Where(t => t.Kind != FlvTagKind.VideoSequenceHeader).ToList();
        Assert.True(frames.Count >= sent.Count / 2, $"{where}: {frames.Count} of {sent.Count} frames");
        var start = sent.FindIndex(t => t.Body.Span.SequenceEqual(frames[0].Body.Span));
        Assert.True(start >= 0 && sent[start].IsKeyframe, $"{where}: the first frame is not a keyframe of the track");
        for (var i = 0; i < frames.Count; i++)
        {
            Assert.True(sent[start + i].Body.Span.SequenceEqual(frames[i].Body.Span), $"{where}: frame {start + i} differs");
        }
    }
}
