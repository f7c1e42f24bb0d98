using System.Diagnostics;
using Relay.Ingest.Egress;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;

namespace Relay.Tests.Integration.Egress;

/// <summary>Real servers on loopback, one at a time (the collection keeps peer-heavy tests from competing for 2 cores).</summary>
[CollectionDefinition("egress-peers", DisableParallelization = true)]
public sealed class EgressPeersCollection;

[Collection("egress-peers")]
public sealed class EgressManagerTests : IAsyncDisposable
{
    private readonly int _portMark = FreePort.Mark;

    /// <summary>Runs after the test's own disposals: nothing it started may still run.</summary>
    public async ValueTask DisposeAsync() => await Leftovers.AssertNoneAsync(FreePort.Since(_portMark));

    private const string Channel = "ch1";

    [Fact]
    public async Task One_source_reaches_nginx_node_media_server_an_ffmpeg_listener_and_an_rtmps_terminator()
    {
        var clip = await TestClip.LoadAsync();
        var ct = TestContext.Current.CancellationToken;
        var clock = Stopwatch.StartNew();
        await using var nginx = await NginxPeer.StartAsync(withTls: true);
        await using var nms = await NodeMediaServerPeer.StartAsync();
        var listenerPort = FreePort.Next();
        await using var listener = FfmpegPeers.StartListener(listenerPort, key: "lkey");
        await FreePort.WaitListeningPassivelyAsync(listenerPort, TimeSpan.FromSeconds(10), listener);
        await using var listenerRecorder = FfmpegPeers.Record(listener, clock, Path.GetTempFileName());

        await using var managerHost = EgressTestHost.Create(EgressTestHost.FastOptions(trustedCa: nginx.CertificatePath));
        var (manager, _, logs) = managerHost;
        await using (manager)
        {
            await using var source = new ReplaySource(clip);
            EgressDestination[] destinations =
            [
                new("nginx", "nginx-rtmp", "custom", $"rtmp://127.0.0.1:{nginx.RtmpPort}/live", "nkey-secret", true),
                new("nms", "node-media-server", "facebook", $"rtmp://127.0.0.1:{nms.RtmpPort}/live/mkey-secret", null, true),
                new("ffmpeg", "ffmpeg listener", "custom", $"rtmp://127.0.0.1:{listenerPort}/live", "lkey", true),
                new("tls", "rtmps terminator", "youtube", $"rtmps://localhost:{nginx.TlsPort}/live", "tkey-secret", true),
            ];
            await managerHost.GoLiveAsync(Channel, source, destinations);

            await using var nginxPlayer = FfmpegPeers.StartPlayer($"rtmp://127.0.0.1:{nginx.RtmpPort}/live/nkey-secret");
            await using var tlsPlayer = FfmpegPeers.StartPlayer($"rtmp://127.0.0.1:{nginx.RtmpPort}/live/tkey-secret");
            await using var nginxRecorder = FfmpegPeers.Record(nginxPlayer, clock, Path.GetTempFileName());
            await using var tlsRecorder = FfmpegPeers.Record(tlsPlayer, clock, Path.GetTempFileName());
            await using var nmsRecorder = await nms.PlayAsync("live", "mkey-secret", clock, ct);

            foreach (var (name, recorder) in new[] { ("nginx", nginxRecorder), ("tls", tlsRecorder), ("nms", nmsRecorder), ("ffmpeg", listenerRecorder) })
            {
                var first = await recorder.WaitForAsync(t => t.Type == 9 && t.Keyframe, TimeSpan.FromSeconds(10));
                await recorder.WaitForAsync(t => t.Type == 8 && !t.SequenceHeader && t.Timestamp > first.Timestamp + 1500, TimeSpan.FromSeconds(10));
            }

            var statuses = manager.GetStatuses(Channel);
            Assert.All(statuses, s => Assert.Equal(EgressState.Live, s.State));
            // Platform checks: the clip (1 s GOP, ~1.5 Mbps, H.264/AAC) satisfies YouTube; Facebook wants rtmps.
            Assert.Empty(manager.GetStatus(Channel, "tls").Warnings);
            Assert.Equal(["Facebook Live accepts only rtmps:// ingest"], manager.GetStatus(Channel, "nms").Warnings);
            Assert.Equal(1, Relay.Ingest.Egress.Diagnostics.EgressMetrics.Up.WithLabels(Channel, "tls", "youtube").Value);
            Assert.True(Relay.Ingest.Egress.Diagnostics.EgressMetrics.Bytes.WithLabels(Channel, "nms", "facebook").Value > 100_000);
            // The supervisor samples the push once a second over a 2 s window: a destination that went live last shows
            // its first bitrate up to ~2 s after it went live.
            for (var i = 0; i < 100 && manager.GetStatuses(Channel).Any(s => s.BitrateKbps == 0); i++) await Task.Delay(50, ct);
            Assert.All(manager.GetStatuses(Channel), s => Assert.InRange(s.BitrateKbps, 500, 5000));
            await manager.StopChannelAsync(Channel);
            Assert.All(manager.GetStatuses(Channel), s => Assert.Equal(EgressState.Idle, s.State));

            foreach (var (name, recorder) in new[] { ("nginx", nginxRecorder), ("tls", tlsRecorder), ("nms", nmsRecorder), ("ffmpeg", listenerRecorder) })
            {
                EgressTestHost.AssertCarriesSource(recorder, source, name);
            }

            var probe = await FfmpegPeers.ProbeAsync(tlsRecorder.RecordingPath);
            Assert.Contains(("video", "h264", 640, 360), probe);
            Assert.Contains(probe, s => s is { Type: "audio", Codec: "aac" });
            probe = await FfmpegPeers.ProbeAsync(nmsRecorder.RecordingPath);
            Assert.Contains(("video", "h264", 640, 360), probe);
            Assert.True(await listener.WaitForExitAsync(TimeSpan.FromSeconds(5)), "the ffmpeg listener sees the unpublish and ends");
            // SNI: the terminator logged the host name the pusher asked for, over TLS 1.2+.
            for (var i = 0; i < 60 && !nginx.TlsSessionLog.Contains("localhost", StringComparison.Ordinal); i++) await Task.Delay(50, ct);
            Assert.Matches(@"(?m)^localhost TLSv1\.[23]$", nginx.TlsSessionLog); // a "-" line is the harness's port probe
            Assert.DoesNotContain(logs.Lines, l => l.Contains("secret", StringComparison.Ordinal) || l.Contains("lkey", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_refused_key_and_a_killed_sink_leave_the_others_flowing_and_the_sink_comes_back()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var nginx = await NginxPeer.StartAsync();
        var listenerPort = FreePort.Next();
        var listener = FfmpegPeers.StartListener(listenerPort);
        await FreePort.WaitListeningPassivelyAsync(listenerPort, TimeSpan.FromSeconds(10), listener);

        // Enough failures allowed that the killed sink is still retrying (not failed) when it returns.
        var options = EgressTestHost.FastOptions();
        options.FailuresBeforeFailed = 50;
        await using var live = await LiveEgressChannel.StartAsync(options, Channel,
        [
            new("a", "a", "twitch", $"rtmp://127.0.0.1:{nginx.RtmpPort}/live", "dupkey", true),
            new("sink", "sink", "custom", $"rtmp://127.0.0.1:{listenerPort}/live", "sinkkey", true),
        ]);
        var (manager, source, logs, clock) = (live.Manager, live.Source, live.Logs, live.Clock);

        // A second publisher of the same name: nginx-rtmp answers NetStream.Publish.BadName.
        await manager.ApplyAsync(Channel,
        [
            new("a", "a", "twitch", $"rtmp://127.0.0.1:{nginx.RtmpPort}/live", "dupkey", true),
            new("sink", "sink", "custom", $"rtmp://127.0.0.1:{listenerPort}/live", "sinkkey", true),
            new("dup", "dup", "custom", $"rtmp://127.0.0.1:{nginx.RtmpPort}/live", "dupkey", true),
        ], ct);
        var refused = await EgressTestHost.WaitForStateAsync(manager, Channel, "dup",
            s => s.State is EgressState.Retrying or EgressState.Failed && s.LastError is not null, TimeSpan.FromSeconds(10));
        Assert.StartsWith("authentication failed: NetStream.Publish.BadName", refused.LastError);
        Assert.DoesNotContain("dupkey", refused.LastError);

        await using var surviving = await live.WatchAsync("a", "twitch", $"rtmp://127.0.0.1:{nginx.RtmpPort}/live/dupkey");
        await Task.Delay(1000, ct);

        var killedAt = clock.Elapsed.TotalMilliseconds;
        await listener.DisposeAsync();
        await EgressTestHost.WaitForStateAsync(manager, Channel, "sink", s => s.State is EgressState.Retrying or EgressState.Connecting, TimeSpan.FromSeconds(5));
        await Task.Delay(1500, ct);
        var end = clock.Elapsed.TotalMilliseconds;
        surviving.AssertNoStall("surviving destination while another's sink was killed", killedAt, end);
        Assert.Equal(EgressState.Live, manager.GetStatus(Channel, "a").State);

        // The sink returns on the same port: the destination is live again within the backoff cap.
        await using var listener2 = FfmpegPeers.StartListener(listenerPort);
        await FreePort.WaitListeningPassivelyAsync(listenerPort, TimeSpan.FromSeconds(10), listener2);
        var back = Stopwatch.StartNew();
        var status = await EgressTestHost.WaitLiveAsync(manager, Channel, "sink", seconds: 8);
        TestContext.Current.SendDiagnosticMessage($"killed sink live again {back.ElapsedMilliseconds} ms after it returned");
        Assert.True(status.Reconnects >= 1);
        await using var recorder2 = FfmpegPeers.Record(listener2, clock, Path.GetTempFileName());
        await recorder2.WaitForAsync(t => t.Type == 9 && t.Keyframe, TimeSpan.FromSeconds(5));
        Assert.Equal(EgressState.Live, manager.GetStatus(Channel, "a").State);
        Assert.Empty(manager.GetStatus(Channel, "a").Warnings); // within Twitch's limits

        // The publisher goes away: the hub completes, every push unpublishes on its own and reads idle.
        await source.EndAsync();
        foreach (var id in new[] { "a", "sink" })
        {
            await EgressTestHost.WaitForStateAsync(manager, Channel, id, s => s.State == EgressState.Idle, TimeSpan.FromSeconds(5));
        }

        Assert.True(await listener2.WaitForExitAsync(TimeSpan.FromSeconds(5)), "the sink saw the unpublish");
        Assert.DoesNotContain(logs.Lines, l => l.Contains("dupkey", StringComparison.Ordinal) || l.Contains("sinkkey", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_sink_that_stops_reading_is_dropped_as_stalled_without_stalling_the_others()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var healthy = await NginxPeer.StartAsync();
        await using var frozen = await NginxPeer.StartAsync();
        // Each retry against the frozen server waits out the setup timeout with its queue filling: 5 s of frames
        // overflow the 240-frame queue, so drops must show.
        var options = EgressTestHost.FastOptions();
        options.SetupTimeoutSeconds = 5;
        await using var live = await LiveEgressChannel.StartAsync(options, Channel,
        [
            new("healthy", "healthy", "custom", $"rtmp://127.0.0.1:{healthy.RtmpPort}/live", "hk", true),
            new("frozen", "frozen", "custom", $"rtmp://127.0.0.1:{frozen.RtmpPort}/live", "fk", true),
        ]);
        var (manager, clock) = (live.Manager, live.Clock);
        await using var watched = await live.WatchAsync("healthy", "custom", $"rtmp://127.0.0.1:{healthy.RtmpPort}/live/hk");
        await Task.Delay(500, ct);

        // (A subscriber that joins before the first keyframe has skipped the frames before it: count from here.)
        var healthyDropsBefore = manager.GetStatus(Channel, "healthy").DroppedFrames;
        var frozenAt = clock.Elapsed.TotalMilliseconds;
        await frozen.FreezeAsync();
        var stalled = await EgressTestHost.WaitForStateAsync(manager, Channel, "frozen",
            s => s.LastError?.StartsWith("stalled", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(15));
        TestContext.Current.SendDiagnosticMessage($"frozen sink detected after {clock.Elapsed.TotalMilliseconds - frozenAt:0} ms: {stalled.LastError}");
        // While it retries against the frozen server, its queue overflows and is dropped to the next keyframe.
        var dropped = await EgressTestHost.WaitForStateAsync(manager, Channel, "frozen", s => s.DroppedFrames > 0, TimeSpan.FromSeconds(10));
        var end = clock.Elapsed.TotalMilliseconds;
        TestContext.Current.SendDiagnosticMessage($"frozen destination dropped {dropped.DroppedFrames} frames");
        watched.AssertNoStall("healthy destination while another's sink was frozen", frozenAt, end);
        Assert.Equal(EgressState.Live, manager.GetStatus(Channel, "healthy").State);
        Assert.Equal(healthyDropsBefore, manager.GetStatus(Channel, "healthy").DroppedFrames);
        await frozen.ThawAsync();
    }

    [Fact]
    public async Task Destinations_are_added_disabled_enabled_rekeyed_and_removed_live_without_touching_the_others()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var nginx = await NginxPeer.StartAsync();
        var steady = new EgressDestination("steady", "steady", "custom", $"rtmp://127.0.0.1:{nginx.RtmpPort}/live", "steady", true);
        await using var live = await LiveEgressChannel.StartAsync(EgressTestHost.FastOptions(), Channel, [steady]);
        var (manager, source, clock) = (live.Manager, live.Source, live.Clock);
        await using var watched = await live.WatchAsync("steady", "custom", $"rtmp://127.0.0.1:{nginx.RtmpPort}/live/steady");
        await Task.Delay(700, ct); // mid-GOP, so a late joiner needs the cache to start at once
        var editsFrom = clock.Elapsed.TotalMilliseconds;

        // Add: the new sink gets a decodable first frame at once, from the GOP cache.
        var listenerPort = FreePort.Next();
        await using var listener = FfmpegPeers.StartListener(listenerPort, key: "k1");
        await FreePort.WaitListeningPassivelyAsync(listenerPort, TimeSpan.FromSeconds(10), listener);
        await using var listenerRecorder = FfmpegPeers.Record(listener, clock, Path.GetTempFileName());
        var added = new EgressDestination("added", "added", "custom", $"rtmp://127.0.0.1:{listenerPort}/live", "k1", true);
        var addedAt = clock.Elapsed.TotalMilliseconds;
        var newestBeforeAdd = source.LastTimestamp;
        await manager.ApplyAsync(Channel, [steady, added], ct);
        await EgressTestHost.WaitLiveAsync(manager, Channel, "added");
        var liveAt = clock.Elapsed.TotalMilliseconds;
        // The first batch on the wire is metadata + sequence headers + the cached GOP, keyframe first.
        var addedBytes = Relay.Ingest.Egress.Diagnostics.EgressMetrics.Bytes.WithLabels(Channel, "added", "custom");
        while (addedBytes.Value == 0 && clock.Elapsed.TotalMilliseconds - addedAt < 5000) await Task.Delay(1, ct);
        var firstBytesAt = clock.Elapsed.TotalMilliseconds;
        var firstKeyframe = await listenerRecorder.WaitForAsync(t => t.Type == 9 && t.Keyframe, TimeSpan.FromSeconds(5));
        TestContext.Current.SendDiagnosticMessage($"added live: publish accepted after {liveAt - addedAt:0} ms; cached GOP on the wire after {firstBytesAt - addedAt:0} ms; first keyframe at the sink (through the listener's probe) after {firstKeyframe.ArrivalMs - addedAt:0} ms");
        Assert.True(liveAt - addedAt < 1000, $"publish took {liveAt - addedAt:0} ms");
        // Without a GOP cache the first keyframe would be one emitted after the add.
        Assert.True(firstKeyframe.Timestamp <= newestBeforeAdd, $"first keyframe {firstKeyframe.Timestamp} ms was emitted after the add ({newestBeforeAdd} ms)");

        // Disable: its push stops cleanly (the listener sees the unpublish and ends); steady goes on.
        await manager.ApplyAsync(Channel, [steady, added with { Enabled = false }], ct);
        Assert.Equal(EgressState.Disabled, manager.GetStatus(Channel, "added").State);
        Assert.True(await listener.WaitForExitAsync(TimeSpan.FromSeconds(5)));

        // Enable again, to a fresh listener.
        await using var listener2 = FfmpegPeers.StartListener(listenerPort, key: "k1");
        await FreePort.WaitListeningPassivelyAsync(listenerPort, TimeSpan.FromSeconds(10), listener2);
        await manager.ApplyAsync(Channel, [steady, added], ct);
        await EgressTestHost.WaitLiveAsync(manager, Channel, "added");

        // Edit the key: the push restarts with the new publish name (nginx serves it under that name).
        var rekeyed = added with { Url = $"rtmp://127.0.0.1:{nginx.RtmpPort}/live", StreamKey = "k2" };
        await manager.ApplyAsync(Channel, [steady, rekeyed], ct);
        await EgressTestHost.WaitLiveAsync(manager, Channel, "added");
        await using var k2Player = FfmpegPeers.StartPlayer($"rtmp://127.0.0.1:{nginx.RtmpPort}/live/k2");
        await using var k2Recorder = FfmpegPeers.Record(k2Player, clock, Path.GetTempFileName());
        await k2Recorder.WaitForAsync(t => t.Type == 9 && t.Keyframe, TimeSpan.FromSeconds(10));

        // Remove: its push stops and its metric series go away.
        Assert.Contains(Relay.Ingest.Egress.Diagnostics.EgressMetrics.Up.GetAllLabelValues(), l => l.SequenceEqual([Channel, "added", "custom"]));
        await manager.ApplyAsync(Channel, [steady], ct);
        Assert.DoesNotContain(Relay.Ingest.Egress.Diagnostics.EgressMetrics.Up.GetAllLabelValues(), l => l.SequenceEqual([Channel, "added", "custom"]));
        Assert.Equal(EgressState.Idle, manager.GetStatus(Channel, "added").State);
        Assert.Single(manager.GetStatuses(Channel));

        watched.AssertNoStall("steady destination during add/disable/enable/rekey/remove of another", editsFrom, clock.Elapsed.TotalMilliseconds);
        Assert.Equal(0, manager.GetStatus(Channel, "steady").Reconnects);
    }

    [Fact]
    public async Task A_profile_destination_delivers_a_9_16_stream_at_the_profile_bitrate()
    {
        var clip = await TestClip.LoadAsync();
        var ct = TestContext.Current.CancellationToken;
        var clock = Stopwatch.StartNew();
        var listenerPort = FreePort.Next();
        await using var listener = FfmpegPeers.StartListener(listenerPort, key: "tiktokkey");
        await FreePort.WaitListeningPassivelyAsync(listenerPort, TimeSpan.FromSeconds(10), listener);
        await using var recorder = FfmpegPeers.Record(listener, clock, Path.GetTempFileName());
        await using var managerHost = EgressTestHost.Create(EgressTestHost.FastOptions());
        var (manager, sources, logs) = managerHost;
        await using (manager)
        {
            await using var source = new ReplaySource(clip);
            sources.SetLive(Channel, source);
            var profile = new EgressProfile(VideoBitrateKbps: 2500, MaxWidth: 720, MaxHeight: 1280, Fps: 30, KeyframeIntervalSeconds: 2, Aspect: "9:16", AudioBitrateKbps: 96);
            await manager.ApplyAsync(Channel, [new("tiktok", "TikTok", "tiktok", $"rtmp://127.0.0.1:{listenerPort}/live", "tiktokkey", true, profile)], ct);
            await EgressTestHost.WaitLiveAsync(manager, Channel, "tiktok", seconds: 15);
            var first = await recorder.WaitForAsync(t => t.Type == 9 && t.Keyframe, TimeSpan.FromSeconds(10));
            await recorder.WaitForAsync(t => t.Type == 9 && t.Timestamp > first.Timestamp + 2500, TimeSpan.FromSeconds(10));
            await manager.StopChannelAsync(Channel);
            Assert.DoesNotContain(logs.Lines, l => l.Contains("tiktokkey", StringComparison.Ordinal));
        }

        Assert.True(await listener.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        var streams = await FfmpegPeers.ProbeAsync(recorder.RecordingPath);
        var video = Assert.Single(streams, s => s.Type == "video");
        Assert.Equal("h264", video.Codec);
        // 640x360 source, centre-cropped to 9:16 (no upscaling): 202x360.
        Assert.Equal((202, 360), (video.Width, video.Height));
        Assert.Contains(streams, s => s is { Type: "audio", Codec: "aac" });
    }

    /// <summary>
    /// engine: ffmpeg without a profile remuxes through ffmpeg, and the native pusher publishes (review M8): ffmpeg's
    /// command line, which every local user can read, names no destination and no key.
    /// </summary>
    [Fact]
    public async Task Engine_ffmpeg_without_a_profile_copies_the_stream_through_ffmpeg_which_never_sees_the_key()
    {
        var clip = await TestClip.LoadAsync();
        var ct = TestContext.Current.CancellationToken;
        var clock = Stopwatch.StartNew();
        await using var nginx = await NginxPeer.StartAsync();
        await using var managerHost = EgressTestHost.Create(EgressTestHost.FastOptions());
        var (manager, sources, logs) = managerHost;
        await using (manager)
        {
            await using var source = new ReplaySource(clip);
            sources.SetLive(Channel, source);
            await manager.ApplyAsync(Channel, [new("viaffmpeg", "via ffmpeg", "bilibili", $"rtmp://127.0.0.1:{nginx.RtmpPort}/live", "ffkey", true, Engine: EgressEngines.Ffmpeg)], ct);
            await EgressTestHost.WaitLiveAsync(manager, Channel, "viaffmpeg", seconds: 15);
            var (_, commandLine) = Assert.Single(Leftovers.OwnFfmpegChildren());
            Assert.Contains("-i pipe:0", commandLine);
            Assert.DoesNotContain("ffkey", commandLine, StringComparison.Ordinal);
            Assert.DoesNotContain("rtmp", commandLine, StringComparison.Ordinal);
            await using var player = FfmpegPeers.StartPlayer($"rtmp://127.0.0.1:{nginx.RtmpPort}/live/ffkey");
            await using var recorder = FfmpegPeers.Record(player, clock, Path.GetTempFileName());
            var first = await recorder.WaitForAsync(t => t.Type == 9 && t.Keyframe, TimeSpan.FromSeconds(10));
            await recorder.WaitForAsync(t => t.Type == 8 && !t.SequenceHeader && t.Timestamp > first.Timestamp + 1000, TimeSpan.FromSeconds(10));
            await manager.StopChannelAsync(Channel);
            var probe = await FfmpegPeers.ProbeAsync(recorder.RecordingPath);
            Assert.Contains(("video", "h264", 640, 360), probe);
            Assert.Contains(probe, s => s is { Type: "audio", Codec: "aac" });
            Assert.DoesNotContain(logs.Lines, l => l.Contains("ffkey", StringComparison.Ordinal));
        }

        // The egress ffmpeg was stopped with the channel.
        Assert.Empty(Leftovers.OwnFfmpegChildren());
    }

    /// <summary>
    /// engine: ffmpeg to an rtmps server verifies its certificate like every native push (review M8: ffmpeg's own rtmps
    /// client, which published before, does not): a self-signed edge is refused until its CA is trusted.
    /// </summary>
    [Fact]
    public async Task Engine_ffmpeg_to_rtmps_verifies_the_certificate()
    {
        var clip = await TestClip.LoadAsync();
        var ct = TestContext.Current.CancellationToken;
        await using var nginx = await NginxPeer.StartAsync(withTls: true);
        EgressDestination[] destinations = [new("viaffmpeg", "via ffmpeg", "youtube", $"rtmps://localhost:{nginx.TlsPort}/live", "tlskey", true, Engine: EgressEngines.Ffmpeg)];
        await using var untrustingHost = EgressTestHost.Create(EgressTestHost.FastOptions());
        var (untrusting, sources, logs) = untrustingHost;
        await using (untrusting)
        {
            await using var source = new ReplaySource(clip);
            sources.SetLive(Channel, source);
            await untrusting.ApplyAsync(Channel, destinations, ct);
            var refused = await EgressTestHost.WaitForStateAsync(untrusting, Channel, "viaffmpeg",
                s => s.State is EgressState.Retrying or EgressState.Failed && s.LastError is not null, TimeSpan.FromSeconds(20));
            Assert.StartsWith("TLS handshake failed", refused.LastError);
            Assert.Equal(0, Relay.Ingest.Egress.Diagnostics.EgressMetrics.Up.WithLabels(Channel, "viaffmpeg", "youtube").Value);
            await untrusting.StopChannelAsync(Channel);
        }

        await using var trustingHost = EgressTestHost.Create(EgressTestHost.FastOptions(trustedCa: nginx.CertificatePath));
        var (trusting, trustedSources, _) = trustingHost;
        await using (trusting)
        {
            await using var source = new ReplaySource(clip);
            trustedSources.SetLive(Channel, source);
            await trusting.ApplyAsync(Channel, destinations, ct);
            await EgressTestHost.WaitLiveAsync(trusting, Channel, "viaffmpeg", seconds: 15);
            await trusting.StopChannelAsync(Channel);
        }

        Assert.DoesNotContain(logs.Lines, l => l.Contains("tlskey", StringComparison.Ordinal));
        Assert.Empty(Leftovers.OwnFfmpegChildren());
    }
}

[Collection("egress-peers")]
public sealed class EgressLiveFollowTests : IAsyncDisposable
{
    private readonly int _portMark = FreePort.Mark;

    public async ValueTask DisposeAsync() => await Leftovers.AssertNoneAsync(FreePort.Since(_portMark));

    [Fact]
    public async Task Destinations_applied_while_offline_start_when_the_channel_goes_live_and_idle_when_it_ends()
    {
        var clip = await TestClip.LoadAsync();
        var ct = TestContext.Current.CancellationToken;
        await using var nginx = await NginxPeer.StartAsync();
        await using var managerHost = EgressTestHost.Create(EgressTestHost.FastOptions());
        var (manager, sources, _) = managerHost;
        await using (manager)
        {
            var observer = new EgressLiveChannelObserver(manager, Microsoft.Extensions.Logging.Abstractions.NullLogger<EgressLiveChannelObserver>.Instance);
            await manager.ApplyAsync("ch2",
            [
                new("on", "on", "custom", $"rtmp://127.0.0.1:{nginx.RtmpPort}/live", "on", true),
                new("off", "off", "custom", $"rtmp://127.0.0.1:{nginx.RtmpPort}/live", "off", false),
            ], ct);
            Assert.Equal(EgressState.Idle, manager.GetStatus("ch2", "on").State);
            Assert.Equal(EgressState.Disabled, manager.GetStatus("ch2", "off").State);

            await using var source = new ReplaySource(clip, "ch2");
            sources.SetLive("ch2", source);
            observer.ChannelLive("ch2");
            await EgressTestHost.WaitLiveAsync(manager, "ch2", "on");
            Assert.Equal(EgressState.Disabled, manager.GetStatus("ch2", "off").State);

            sources.SetLive("ch2", null);
            await source.EndAsync();
            observer.ChannelOffline("ch2");
            await EgressTestHost.WaitForStateAsync(manager, "ch2", "on", s => s.State == EgressState.Idle, TimeSpan.FromSeconds(5));
        }
    }
}
