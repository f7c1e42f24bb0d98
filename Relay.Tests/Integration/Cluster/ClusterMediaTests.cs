using System.Diagnostics;
using System.Net;
using Relay.Ingest.Media;
using Relay.Server.Cluster.Media;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;
using Relay.Tests.Integration.Ingest;
using StackExchange.Redis;

namespace Relay.Tests.Integration.Cluster;

/// <summary>
/// Media across nodes with real engines: PostgreSQL, Redis, two Relay processes, ffmpeg publishers and players, an
/// nginx-rtmp sink as the channel's destination.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterMediaTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_channel_published_on_node_a_plays_on_node_b_and_only_node_a_pushes_its_destination()
    {
        FfmpegAvailability.SkipIfMissing();
        await using var nginx = await NginxPeer.StartAsync();
        await using var bed = await ClusterTestBed.StartAsync(2, ClusterMediaChannel.Arguments(nginx.RtmpPort, "--Relay:Hls:Enabled=true"));
        var (a, b) = (bed.Nodes[0], bed.Nodes[1]);

        using var publisher = await ClusterMediaChannel.PublishUntilTakenAsync(a);
        await ClusterMediaChannel.WaitUntilAsync(async () => await ClusterMediaChannel.DestinationStateAsync(a) == "live", TimeSpan.FromSeconds(30),
            () => $"the destination never went live on node a; publisher: {publisher.Stderr}");
        Assert.True(await ClusterMediaChannel.OwnsAsync(a));
        Assert.False(await ClusterMediaChannel.OwnsAsync(b));

        // Live state on every node: node b has no publisher and says live (from node a's announcements).
        await ClusterMediaChannel.WaitUntilAsync(() => ClusterMediaChannel.IsLiveAsync(b), TimeSpan.FromSeconds(10), () => "node b never said live");

        // HTTP-FLV on node b: frames arrive, starting with the sequence headers and a keyframe, H.264 + AAC. Two viewers
        // on node b share one pull of node a's stream.
        using var http = new HttpClient();
        var clock = Stopwatch.StartNew();
        var flvOnB = new Uri(b.BaseUrl, $"/live/{ClusterMediaChannel.Id}.flv");
        var watching = FlvHttpReader.ReadAsync(http, flvOnB, TimeSpan.FromSeconds(4), Ct, clock);
        await Task.Delay(1500, Ct);
        var alongside = FlvHttpReader.ReadAsync(http, flvOnB, TimeSpan.FromSeconds(2), Ct);
        await Task.Delay(500, Ct);
        var pulls = await a.Admin().GetStringAsync("/metrics", Ct);
        var viewer = await watching;
        Assert.NotEmpty((await alongside).Tags);
        Assert.Contains($"relay_fanout_subscribers{{channel=\"{ClusterMediaChannel.Id}\",kind=\"mirror\",node=\"{a.Id}\"}} 1", pulls);
        Assert.DoesNotContain($"relay_fanout_subscribers{{channel=\"{ClusterMediaChannel.Id}\",kind=\"http_flv\",node=\"{a.Id}\"}} 1", pulls);
        var video = viewer.Tags.Where(t => t.Tag.Type == FlvTagType.Video).ToList();
        Assert.True(video.Count >= 60, $"only {video.Count} video tags in 4 s on node b");
        Assert.True(video[0].Tag.IsSequenceHeader);
        Assert.True(video.First(t => !t.Tag.IsSequenceHeader).Tag.IsKeyframe);
        Assert.Contains(viewer.Tags, t => t.Tag.Type == FlvTagType.Audio);
        TestContext.Current.TestOutputHelper?.WriteLine($"node b: first tag {viewer.FirstByteAfter?.TotalMilliseconds:F0} ms after the request (mirror opened), {video.Count} video tags in 4 s");
        var played = await GatewayPublishTests.FfprobeAsync(new Uri(b.BaseUrl, $"/live/{ClusterMediaChannel.Id}.flv"));
        Assert.Equal(["aac", "h264"], Codecs(played));

        // HLS on node b, packaged from its mirror (started by the HTTP-FLV viewer above, or by this request).
        clock.Restart();
        var playlist = await http.GetAsync(new Uri(b.BaseUrl, $"/live/{ClusterMediaChannel.Id}/index.m3u8"), Ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"node b: HLS playlist answered {clock.Elapsed.TotalSeconds:F2} s after the first request");
        Assert.Equal(HttpStatusCode.OK, playlist.StatusCode);
        var text = await playlist.Content.ReadAsStringAsync(Ct);
        Assert.StartsWith("#EXTM3U", text);
        var segment = text.Split('\n').Select(l => l.Trim()).First(l => l.EndsWith(".ts", StringComparison.Ordinal));
        var ts = await http.GetAsync(new Uri(b.BaseUrl, $"/live/{ClusterMediaChannel.Id}/{segment}"), Ct);
        Assert.Equal(HttpStatusCode.OK, ts.StatusCode);
        Assert.Equal("video/mp2t", ts.Content.Headers.ContentType?.MediaType);
        Assert.True((await ts.Content.ReadAsByteArrayAsync(Ct)).Length > 10_000);

        // A second publisher on node b while the channel is live on node a: refused as already_live.
        using var second = ClusterMediaChannel.Publish(b, seconds: 10);
        Assert.True(await second.WaitForExitAsync(TimeSpan.FromSeconds(15)), "the second publisher was not refused");
        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains("The channel already has a publisher.", second.Stderr);

        // A destination change applied on node b (as a catalog change reaching a non-owner) starts nothing there.
        using (var adminB = b.Admin())
        {
            var added = await adminB.PostAsync($"/api/v1/channels/{ClusterMediaChannel.Id}/destinations", RelayServerTest.JsonBody(
                $$"""{"id":"second","name":"second sink","platform":"custom","url":"rtmp://127.0.0.1:{{nginx.RtmpPort}}/live","streamKey":"cluster-sink-2"}"""), Ct);
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
            await Task.Delay(2000, Ct);
            var states = System.Text.Json.JsonDocument.Parse(await adminB.GetStringAsync($"/api/v1/channels/{ClusterMediaChannel.Id}/destinations", Ct)).RootElement
                .EnumerateArray().Select(d => d.GetProperty("state").GetString()).ToList();
            Assert.All(states, state => Assert.Equal("idle", state));
        }

        // The destination has exactly one publisher, node a: node b never pushed, the sink never refused a second one.
        Assert.Equal("live", await ClusterMediaChannel.DestinationStateAsync(a));
        Assert.NotEqual("live", await ClusterMediaChannel.DestinationStateAsync(b));
        var pushed = await GatewayPublishTests.FfprobeAsync(new Uri($"rtmp://127.0.0.1:{nginx.RtmpPort}/live/{ClusterMediaChannel.SinkKey}"));
        Assert.Equal(["aac", "h264"], Codecs(pushed));
        Assert.DoesNotContain("already publishing", nginx.ErrorLog);
        Assert.False(publisher.HasExited, publisher.Stderr);
        Assert.True(await ClusterMediaChannel.OwnsAsync(a));
        Assert.Contains($"ingest_rejected_total{{reason=\"already_live\",node=\"{b.Id}\"}} 1", await b.Admin().GetStringAsync("/metrics", Ct));
    }

    [Fact]
    public async Task The_lease_scripts_on_a_real_redis_never_extend_or_drop_another_nodes_lease()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var store = new RedisChannelLeaseStore(connection);
        var lease = TimeSpan.FromSeconds(2);

        Assert.Null(await store.TryAcquireAsync("show", "node-a", "http://10.0.0.1:8080", lease));
        Assert.Equal("node-a", await store.TryAcquireAsync("show", "node-b", "http://10.0.0.2:8080", lease));
        Assert.Null(await store.TryAcquireAsync("show", "node-a", "http://10.0.0.1:8080", lease)); // a restarted node-a
        Assert.Equal("node-a", await store.OwnerAsync("show"));
        Assert.Equal("http://10.0.0.1:8080", await store.NodeUrlAsync("node-a"));
        Assert.Null(await store.NodeUrlAsync("node-b"));
        var ttl = await connection.GetDatabase().KeyTimeToLiveAsync(RedisChannelLeaseStore.OwnerKey("show"));
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(1), lease);

        Assert.False(await store.RenewAsync("show", "node-b", TimeSpan.FromSeconds(60)));
        Assert.True(await store.RenewAsync("show", "node-a", lease));
        await store.ReleaseAsync("show", "node-b");
        Assert.Equal("node-a", await store.OwnerAsync("show"));

        // node-a stops renewing (kill -9): the key expires by itself and node-b takes the channel.
        await Task.Delay(lease + TimeSpan.FromMilliseconds(300), Ct);
        Assert.Null(await store.OwnerAsync("show"));
        Assert.False(await store.RenewAsync("show", "node-a", lease));
        Assert.Null(await store.TryAcquireAsync("show", "node-b", "http://10.0.0.2:8080", lease));
        await store.ReleaseAsync("show", "node-a");
        Assert.Equal("node-b", await store.OwnerAsync("show"));
        await store.ReleaseAsync("show", "node-b");
        Assert.Null(await store.OwnerAsync("show"));

        // Announcements reach a subscriber.
        var heard = new TaskCompletionSource<ChannelLiveAnnouncement?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await connection.GetSubscriber().SubscribeAsync(RedisChannelLeaseStore.LiveChannel, (_, m) => heard.TrySetResult(ChannelLiveAnnouncement.Parse(m)));
        var sent = new ChannelLiveAnnouncement("show", "node-b", DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_000_000), Live: true);
        await store.AnnounceAsync(sent);
        Assert.Equal(sent, await heard.Task.WaitAsync(TimeSpan.FromSeconds(5), Ct));
    }

    private static List<string> Codecs(System.Text.Json.JsonElement probe) =>
        [.. probe.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("codec_name").GetString()!).Order()];
}
