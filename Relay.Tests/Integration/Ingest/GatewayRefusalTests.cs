using Relay.Ingest.Configuration;
using Relay.Ingest.Diagnostics;
using Relay.Ingest.Rtmp;
using Relay.Ingest.Media;
using Relay.Ingest.Publishing;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Integration.Ingest;

/// <summary>Refusals: each closes the connection before the publish reaches ffmpeg, within 1 s, without disturbing the live publisher.</summary>
[Collection(RealFfmpegCollection.Name)]
public class GatewayRefusalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Wrong_key_missing_key_wrong_app_and_second_publisher_are_refused_fast_while_the_live_publisher_goes_on()
    {
        await using var host = await IngestTestHost.StartAsync(new Dictionary<string, string?>
        {
            // Four refusals from one IP in a row must not trip the brute-force backoff in this test.
            ["Relay:Ingest:FailedAuthAttemptsBeforeBackoff"] = "10",
        });
        using var http = new HttpClient();
        using var publisher = FfmpegPublisher.Start(host.RtmpUrl(IngestTestHost.DemoKey), seconds: 20);
        await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(10));
        var viewerTask = FlvHttpReader.ReadAsync(http, host.FlvUrl("demo"), TimeSpan.FromSeconds(5), Ct);

        var before = RejectedCounts();
        var refusals = new (string Name, string App, string Key, string Reason)[]
        {
            ("wrong key", "live", "WRONG-KEY", "bad_key"),
            ("missing key", "live", "", "missing_key"),
            ("wrong app", "other", IngestTestHost.OtherKey, "wrong_app"),
            ("second publisher", "live", IngestTestHost.DemoKey, "already_live"),
        };
        foreach (var (name, app, key, reason) in refusals)
        {
            await using var client = await RawRtmpClient.ConnectAsync(host.RtmpPort, Ct);
            await client.HandshakeAsync(Ct);
            await client.ConnectAndPublishAsync(app, key, Ct);
            var closedAfter = await client.WaitForCloseAsync(TimeSpan.FromSeconds(3), Ct);
            Assert.True(closedAfter is not null, $"{name}: connection not closed");
            Assert.True(closedAfter < TimeSpan.FromSeconds(1), $"{name}: closed only after {closedAfter}");
            // The gateway says why before closing (as nginx-rtmp does), so an encoder reports a failure; the
            // description never echoes the key.
            var expected = reason == "wrong_app" ? ("_error", "NetConnection.Connect.Rejected") : ("onStatus", "NetStream.Publish.BadName");
            Assert.Contains(client.Received, m => IsErrorStatus(m, expected.Item1, expected.Item2));
            Assert.DoesNotContain(client.Received, m => key.Length > 0 && m.Payload.Span.IndexOf(System.Text.Encoding.UTF8.GetBytes(key)) >= 0);

            Assert.Equal(before[reason] + 1, RejectedCounts()[reason]);
            before = RejectedCounts();
        }

        // A real encoder with a wrong key is refused too (ffmpeg gives up with an error).
        using (var wrong = FfmpegPublisher.Start(host.RtmpUrl("WRONG-KEY"), seconds: 5))
        {
            Assert.True(await wrong.WaitForExitAsync(TimeSpan.FromSeconds(5)), "refused ffmpeg publisher did not give up");
            Assert.NotEqual(0, wrong.ExitCode);
        }

        Assert.Equal(["demo"], host.Channels.LiveChannelIds);
        Assert.Equal(0, host.Processes.StartedCount);
        Assert.False(host.Channels.IsLive("other"));

        var viewer = await viewerTask;
        var frames = viewer.Tags.Where(t => t.Tag.IsVideo && !t.Tag.IsSequenceHeader).ToList();
        Assert.True(frames.Count > 100, $"live viewer got {frames.Count} frames in 5 s");
        var worstGap = frames.Zip(frames.Skip(1)).Max(p => p.Second.At - p.First.At);
        // Normal spacing is 33 ms; a refusal that disturbed the live session would cost seconds (reconnect), so
        // 1 s separates the two without failing on scheduler noise of a busy 2-core machine.
        Assert.True(worstGap < TimeSpan.FromSeconds(1), $"live stream stalled for {worstGap} during refusals");
        Assert.False(publisher.HasExited, "the live publisher was disturbed: " + publisher.Stderr);
        Assert.InRange(host.Channels.GetStatus("demo")!.Fps!.Value, 27, 33);

        publisher.Dispose();
        await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(5));
        await host.AssertNoFfmpegLeftAsync();
        host.AssertLogsClean();
    }

    [Fact]
    public async Task Repeated_bad_keys_from_one_address_slow_its_key_checks_but_the_right_key_still_publishes()
    {
        await using var host = await IngestTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Ingest:FailedAuthAttemptsBeforeBackoff"] = "2",
        });
        var before = IngestMetrics.Rejected.WithLabels("rate_limited").Value;
        for (var i = 0; i < 2; i++)
        {
            await using var client = await RawRtmpClient.ConnectAsync(host.RtmpPort, Ct);
            await client.HandshakeAsync(Ct);
            await client.ConnectAndPublishAsync("live", $"WRONG-KEY-{i}", Ct); // distinct guesses: a repeated stale key counts once
            Assert.NotNull(await client.WaitForCloseAsync(TimeSpan.FromSeconds(2), Ct));
        }

        // Blocked now (1 s, then 2 s, 4 s...): a further guess is answered only after its check was held back, and
        // refused as rate_limited.
        TimeSpan? held = null;
        for (var i = 2; i < 8 && held is null; i++)
        {
            await using var blocked = await RawRtmpClient.ConnectAsync(host.RtmpPort, Ct);
            await blocked.HandshakeAsync(Ct);
            var limitedBefore = IngestMetrics.Rejected.WithLabels("rate_limited").Value;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            await blocked.ConnectAndPublishAsync("live", $"WRONG-KEY-{i}", Ct);
            Assert.NotNull(await blocked.WaitForCloseAsync(TimeSpan.FromSeconds(10), Ct));
            if (IngestMetrics.Rejected.WithLabels("rate_limited").Value > limitedBefore)
            {
                held = watch.Elapsed;
            }
        }

        Assert.True(held is not null, "no guess was refused as rate_limited");
        Assert.True(held >= TimeSpan.FromSeconds(0.2), $"a guess from a blocked address was answered after {held}");
        Assert.True(IngestMetrics.Rejected.WithLabels("rate_limited").Value >= before + 1);
        var startedBefore = host.Processes.StartedCount;

        // The right key from the same address while it is still blocked (2 s now): held back, then accepted. An
        // encoder behind the same NAT or load balancer as a guesser is slowed, never locked out.
        await using (var good = await RawRtmpClient.ConnectAsync(host.RtmpPort, Ct))
        {
            await good.HandshakeAsync(Ct);
            await good.ConnectAndPublishAsync("live", IngestTestHost.DemoKey, Ct);
            Assert.True(await good.WaitForStatusAsync("NetStream.Publish.Start", TimeSpan.FromSeconds(5), Ct), "publish with the right key from a blocked address");
            Assert.True(host.Channels.IsLive("demo"));
        }

        Assert.Equal(startedBefore, host.Processes.StartedCount);
        await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(5));
        await host.AssertNoFfmpegLeftAsync();
        host.AssertLogsClean();
    }

    [Fact]
    public async Task A_publish_spread_over_several_chunks_is_held_whole_then_released_after_the_key_check_and_names_over_the_cap_are_refused()
    {
        await using var host = await IngestTestHost.StartAsync();
        await using var client = await RawRtmpClient.ConnectAsync(host.RtmpPort, Ct);
        await client.HandshakeAsync(Ct);
        // The default 128-byte chunks split the ~150-byte publish in two; the gateway must hold the last one only.
        await client.ConnectAndPublishAsync("live", IngestTestHost.LongKey, Ct);

        Assert.True(await client.WaitForStatusAsync("NetStream.Publish.Start", TimeSpan.FromSeconds(5), Ct), "multi-chunk publish was not answered");
        Assert.True(host.Channels.IsLive("long"));
        await client.DisposeAsync();
        await host.WaitForLiveAsync("long", live: false, TimeSpan.FromSeconds(5));

        // The name-length cap is policy (PublishGate.MaxStreamNameBytes): a key of exactly that many bytes is checked
        // and goes live; one byte more is refused as a bad key by the gateway, quickly and without asking the
        // authorizer (which would have accepted it).
        var atCap = IngestTestHost.CapKeyPrefix + new string('k', PublishGate.MaxStreamNameBytes - IngestTestHost.CapKeyPrefix.Length);
        await using (var longest = await RawRtmpClient.ConnectAsync(host.RtmpPort, Ct))
        {
            await longest.HandshakeAsync(Ct);
            await longest.ConnectAndPublishAsync("live", atCap, Ct);
            Assert.True(await longest.WaitForStatusAsync("NetStream.Publish.Start", TimeSpan.FromSeconds(5), Ct), $"a {atCap.Length}-byte key was not accepted");
        }

        await host.WaitForLiveAsync("cap", live: false, TimeSpan.FromSeconds(5));
        var badKeys = IngestMetrics.Rejected.WithLabels("bad_key").Value;
        await using (var tooLong = await RawRtmpClient.ConnectAsync(host.RtmpPort, Ct))
        {
            await tooLong.HandshakeAsync(Ct);
            await tooLong.ConnectAndPublishAsync("live", atCap + "k", Ct);
            var closed = await tooLong.WaitForCloseAsync(TimeSpan.FromSeconds(2), Ct);
            Assert.True(closed < TimeSpan.FromSeconds(1));
            Assert.Contains(tooLong.Received, m => IsErrorStatus(m, "onStatus", "NetStream.Publish.BadName"));
        }

        Assert.False(host.Channels.IsLive("cap"));
        Assert.True(IngestMetrics.Rejected.WithLabels("bad_key").Value >= badKeys + 1);
        await host.AssertNoFfmpegLeftAsync();
        host.AssertLogsClean();
    }

    private static bool IsErrorStatus(RtmpMessage message, string name, string code) =>
        RtmpCommand.TryParse(message, out var command, out _) && command!.Name == name
        && command.Arguments.Count > 0 && command.Arguments[0] is IReadOnlyDictionary<string, object?> info
        && info.GetValueOrDefault("level") as string == "error" && info.GetValueOrDefault("code") as string == code;

    private static Dictionary<string, double> RejectedCounts() =>
        new[] { "bad_key", "missing_key", "wrong_app", "already_live" }.ToDictionary(r => r, r => IngestMetrics.Rejected.WithLabels(r).Value);
}
