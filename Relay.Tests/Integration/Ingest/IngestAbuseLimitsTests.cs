using Relay.Ingest.Configuration;
using Relay.Ingest.Diagnostics;
using Relay.Ingest.Media;
using Relay.Ingest.Publishing;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Integration.Ingest;

/// <summary>
/// What a stream-key holder can make every viewer and every restart pay for (review finding L9): oversized
/// onMetaData, kept as the stream header and sent to every new viewer, and publish/unpublish churn, each cycle
/// starting a packager, a recording and every destination's reconnect.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class IngestAbuseLimitsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <remarks>The publisher's metadata reaches the hub as sent, so the cap is on what the encoder wrote.</remarks>
    [Fact]
    public async Task Metadata_over_16_KiB_is_dropped_with_a_log_line_and_the_stream_goes_on()
    {
        await using var host = await IngestTestHost.StartAsync();
        var droppedBefore = IngestMetrics.MetadataDropped.WithLabels("demo").Value;
        // A real encoder whose onMetaData carries a 20 KB comment.
        using var publisher = FfmpegPublisher.Start(host.RtmpUrl(IngestTestHost.DemoKey), seconds: 20, extraVideoArgs: $"-metadata comment={new string('x', 20_000)}");
        await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(15));
        await host.AssertKeyframeArrivesAsync("demo", "media after the oversized metadata");

        using var http = new HttpClient();
        var viewer = await FlvHttpReader.ReadAsync(http, host.FlvUrl("demo"), TimeSpan.FromSeconds(2), Ct);
        Assert.Contains(viewer.Tags, t => t.Tag.IsKeyframe);
        Assert.DoesNotContain(viewer.Tags, t => t.Tag.Kind == FlvTagKind.Metadata && t.Tag.BodyLength > 16 * 1024);
        Assert.True(IngestMetrics.MetadataDropped.WithLabels("demo").Value > droppedBefore);
        Assert.Single(host.Logs.Lines, l => l.Contains("onMetaData of", StringComparison.Ordinal));
        Assert.False(publisher.HasExited, publisher.Stderr);
        host.AssertLogsClean();
    }

    [Fact]
    public async Task Publish_starts_past_the_per_channel_rate_are_refused_with_a_reason_and_other_channels_are_not_affected()
    {
        await using var host = await IngestTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Ingest:MaxPublishStartsPerChannelPerMinute"] = "2",
        });
        var before = IngestMetrics.Rejected.WithLabels(PublishRejectReason.TooManyPublishes).Value;
        for (var i = 0; i < 2; i++)
        {
            await using var cycle = await RawRtmpClient.ConnectAsync(host.RtmpPort, Ct);
            await cycle.HandshakeAsync(Ct);
            await cycle.ConnectAndPublishAsync("live", IngestTestHost.DemoKey, Ct);
            Assert.True(await cycle.WaitForStatusAsync("NetStream.Publish.Start", TimeSpan.FromSeconds(5), Ct), $"publish {i + 1}");
            await cycle.DisposeAsync();
            await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(5));
        }

        await using (var third = await RawRtmpClient.ConnectAsync(host.RtmpPort, Ct))
        {
            await third.HandshakeAsync(Ct);
            await third.ConnectAndPublishAsync("live", IngestTestHost.DemoKey, Ct);
            var closed = await third.WaitForCloseAsync(TimeSpan.FromSeconds(5), Ct);
            Assert.NotNull(closed);
            Assert.Contains(third.Received, m => m.Payload.Span.IndexOf("Too many publish starts"u8) >= 0);
        }

        Assert.False(host.Channels.IsLive("demo"));
        Assert.Equal(before + 1, IngestMetrics.Rejected.WithLabels(PublishRejectReason.TooManyPublishes).Value);
        Assert.Contains(host.Logs.Lines, l => l.Contains("too_many_publishes", StringComparison.Ordinal));

        // The limit is the channel's: another channel publishes.
        await using (var other = await RawRtmpClient.ConnectAsync(host.RtmpPort, Ct))
        {
            await other.HandshakeAsync(Ct);
            await other.ConnectAndPublishAsync("live", IngestTestHost.OtherKey, Ct);
            Assert.True(await other.WaitForStatusAsync("NetStream.Publish.Start", TimeSpan.FromSeconds(5), Ct));
        }

        host.AssertLogsClean();
    }
}
