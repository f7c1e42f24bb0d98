using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Relay.Ingest.Amf0;
using Relay.Ingest.Configuration;
using Relay.Ingest.Media;
using Relay.Ingest.Rtmp;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Integration.Ingest;

/// <summary>Real ffmpeg publishing through the real gateway to real HTTP-FLV viewers.</summary>
[Collection(RealFfmpegCollection.Name)]
public class GatewayPublishTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Publish_goes_live_with_status_and_HTTP_FLV_starts_at_a_keyframe_at_once()
    {
        await using var host = await IngestTestHost.StartAsync();
        using var http = new HttpClient();

        var offline = await http.GetAsync(host.FlvUrl("demo"), Ct);
        Assert.Equal(HttpStatusCode.NotFound, offline.StatusCode);
        Assert.Equal("application/problem+json", offline.Content.Headers.ContentType?.MediaType);
        Assert.Contains("channel is offline", await offline.Content.ReadAsStringAsync(Ct));

        using (var publisher = FfmpegPublisher.Start(host.RtmpUrl(IngestTestHost.DemoKey), seconds: 6))
        {
            await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(10));
            // Let a GOP (2 s at -g 60) be cached so a viewer starts mid-stream at a keyframe.
            await Task.Delay(2500, Ct);

            var status = host.Channels.GetStatus("demo");
            Assert.NotNull(status);
            Assert.True(status.Live);
            Assert.Equal("h264", status.VideoCodec);
            Assert.Equal("aac", status.AudioCodec);
            Assert.Equal(640, status.Width);
            Assert.Equal(360, status.Height);
            Assert.InRange(status.Fps!.Value, 27, 33);
            Assert.Equal(2.0, status.KeyframeIntervalSeconds!.Value, 0.1);
            Assert.True(status.BitrateKbps > 50, $"bitrate {status.BitrateKbps}");

            var viewer = await FlvHttpReader.ReadAsync(http, host.FlvUrl("demo"), TimeSpan.FromSeconds(1.5), Ct);
            var tags = viewer.Tags;
            Assert.NotEmpty(tags);
            Assert.Equal(FlvTagKind.Metadata, tags[0].Tag.Kind);
            AssertOnMetaData(tags[0].Tag, width: 640, height: 360);
            var firstFrame = tags.First(t => t.Tag.IsVideo && !t.Tag.IsSequenceHeader);
            Assert.True(firstFrame.Tag.IsKeyframe, "the first video frame served is a keyframe");
            Assert.True(firstFrame.At < TimeSpan.FromSeconds(1), $"first keyframe after {firstFrame.At.TotalMilliseconds} ms");
            Assert.Contains(tags, t => t.Tag.Kind == FlvTagKind.VideoSequenceHeader);
            Assert.Contains(tags, t => t.Tag.Kind == FlvTagKind.AudioSequenceHeader);
            TestContext.Current.TestOutputHelper?.WriteLine($"viewer: first FLV tag {viewer.FirstByteAfter?.TotalMilliseconds:F0} ms, first keyframe {firstFrame.At.TotalMilliseconds:F0} ms after GET");
            foreach (var line in host.Logs.Lines.Where(l => l.Contains("first media", StringComparison.Ordinal)))
            {
                TestContext.Current.TestOutputHelper?.WriteLine(line);
            }

            var probe = await FfprobeAsync(host.FlvUrl("demo"));
            var streams = probe.GetProperty("streams").EnumerateArray().ToList();
            Assert.Contains(streams, s => s.GetProperty("codec_name").GetString() == "h264" && s.GetProperty("width").GetInt32() == 640);
            Assert.Contains(streams, s => s.GetProperty("codec_name").GetString() == "aac");
            var firstVideoPacket = probe.GetProperty("packets").EnumerateArray().First(p => p.GetProperty("codec_type").GetString() == "video");
            Assert.StartsWith("K", firstVideoPacket.GetProperty("flags").GetString());

            Assert.True(await publisher.WaitForExitAsync(TimeSpan.FromSeconds(15)), "publisher finished its 6 s");
            Assert.Equal(0, publisher.ExitCode);
        }

        await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(5));
        // The gateway terminates RTMP in-process: no ingest ffmpeg ever ran.
        Assert.Equal(0, host.Processes.StartedCount);
        Assert.Null(host.Channels.GetStatus("demo"));
        Assert.Equal(["live:demo", "offline:demo"], host.Events.All);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(host.FlvUrl("demo"), Ct)).StatusCode);
        await host.AssertNoFfmpegLeftAsync();
        host.AssertLogsClean();
    }

    /// <summary>An FLV script tag that is <c>onMetaData</c> itself (no <c>@setDataFrame</c> prefix) with the publisher's size.</summary>
    internal static void AssertOnMetaData(FlvTag tag, int width, int height)
    {
        var reader = new Amf0Reader(tag.Body.Span);
        Assert.Equal("onMetaData", reader.ReadString());
        var properties = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(reader.ReadValue());
        Assert.Equal(width, Assert.IsType<double>(properties["width"]));
        Assert.Equal(height, Assert.IsType<double>(properties["height"]));
        // A live stream has no duration: a publisher's (the length of its input file) would make players treat it as a file.
        Assert.False(properties.ContainsKey("duration"));
    }

    internal static async Task<JsonElement> FfprobeAsync(Uri url)
    {
        var info = new ProcessStartInfo("ffprobe", $"-v error -rw_timeout 5000000 -read_intervals %+#20 -show_entries stream=codec_name,codec_type,width,height:packet=codec_type,flags -of json {url}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        Assert.True(process.ExitCode == 0, $"ffprobe failed: {await error}");
        return JsonDocument.Parse(await output).RootElement;
    }
}
