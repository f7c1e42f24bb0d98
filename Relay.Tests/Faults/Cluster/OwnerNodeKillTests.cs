using System.Diagnostics;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;
using Relay.Tests.Integration.Ingest;

namespace Relay.Tests.Faults.Cluster;

/// <summary>
/// The owner of a live channel dies (<c>kill -9</c>) or loses Redis: what the publisher, the other node and the
/// destination see. Real PostgreSQL, Redis, two Relay processes, ffmpeg publishers and an nginx-rtmp sink.
/// </summary>
[Trait("Category", "Faults")]
[Collection(ClusterCollection.Name)]
public sealed class OwnerNodeKillTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task After_kill_9_of_the_owner_the_publisher_reconnecting_to_the_other_node_takes_the_channel_and_the_destination_resumes()
    {
        FfmpegAvailability.SkipIfMissing();
        await using var nginx = await NginxPeer.StartAsync();
        await using var bed = await ClusterTestBed.StartAsync(2, ClusterMediaChannel.Arguments(nginx.RtmpPort));
        var (a, b) = (bed.Nodes[0], bed.Nodes[1]);

        using var first = await ClusterMediaChannel.PublishUntilTakenAsync(a);
        await ClusterMediaChannel.WaitUntilAsync(async () => await ClusterMediaChannel.DestinationStateAsync(a) == "live", TimeSpan.FromSeconds(30),
            () => $"the destination never went live on node a; publisher: {first.Stderr}");
        await ClusterMediaChannel.WaitUntilAsync(() => ClusterMediaChannel.IsLiveAsync(b), TimeSpan.FromSeconds(10), () => "node b never said live");

        var clock = Stopwatch.StartNew();
        await a.KillAsync();
        // When the dead owner's lease ends in Redis (its key expires, or holds node b): polled beside the publisher's retries.
        var leaseEnded = Task.Run(async () =>
        {
            while ((await bed.Redis.CommandAsync($"GET relay:channel-owner:{ClusterMediaChannel.Id}")).Contains(a.Id, StringComparison.Ordinal))
            {
                await Task.Delay(50, Ct);
            }

            return clock.Elapsed;
        }, Ct);
        Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(10)), "the publisher did not notice node a's death");
        var noticed = clock.Elapsed;

        // The encoder reconnects through the load balancer, which now sends it to node b. Like OBS it retries while
        // refused (here every 0.5 s): node b refuses as already_live until node a's lease has run out.
        FfmpegPublisher? second = null;
        var attempts = 0;
        TimeSpan? accepted = null;
        try
        {
            while (accepted is null && clock.Elapsed < TimeSpan.FromSeconds(ClusterTestBed.LeaseSeconds + 10))
            {
                attempts++;
                second?.Dispose();
                second = ClusterMediaChannel.Publish(b);
                var attempt = Stopwatch.StartNew();
                while (attempt.Elapsed < TimeSpan.FromSeconds(5))
                {
                    if (await ClusterMediaChannel.OwnsAsync(b))
                    {
                        accepted = clock.Elapsed;
                        break;
                    }

                    if (second.HasExited)
                    {
                        Assert.Contains("The channel already has a publisher.", second.Stderr);
                        await Task.Delay(500, Ct);
                        break;
                    }

                    await Task.Delay(100, Ct);
                }
            }

            Assert.True(accepted is not null, $"node b never took the channel after {attempts} attempts");
            await ClusterMediaChannel.WaitUntilAsync(async () => await ClusterMediaChannel.DestinationStateAsync(b) == "live", TimeSpan.FromSeconds(20),
                () => $"the destination never went live on node b; publisher: {second!.Stderr}");
            var resumed = clock.Elapsed;
            var pushed = await GatewayPublishTests.FfprobeAsync(new Uri($"rtmp://127.0.0.1:{nginx.RtmpPort}/live/{ClusterMediaChannel.SinkKey}"));
            Assert.Contains(pushed.GetProperty("streams").EnumerateArray(), s => s.GetProperty("codec_name").GetString() == "h264");
            Assert.DoesNotContain("already publishing", nginx.ErrorLog);
            Assert.True(await ClusterMediaChannel.IsLiveAsync(b));

            var expired = await leaseEnded.WaitAsync(TimeSpan.FromSeconds(1), Ct);
            TestContext.Current.TestOutputHelper?.WriteLine($"owner kill -9 -> publisher gone {noticed.TotalSeconds:F2} s -> lease ended {expired.TotalSeconds:F2} s -> node b owns the channel {accepted.Value.TotalSeconds:F2} s "
                + $"({attempts} publish attempts, lease {ClusterTestBed.LeaseSeconds} s) -> destination live again from node b {resumed.TotalSeconds:F2} s");
            Assert.True(expired <= TimeSpan.FromSeconds(ClusterTestBed.LeaseSeconds + 0.5), $"the dead owner's lease lasted {expired.TotalSeconds:F2} s");
            // The lease, then the encoder's next retry (0.5 s after a refusal plus a new ffmpeg's start, ~1.5 s on this
            // loaded machine) and its connect: within the lease and that margin.
            Assert.InRange(accepted.Value, TimeSpan.FromSeconds(ClusterTestBed.LeaseSeconds - 2.5), TimeSpan.FromSeconds(ClusterTestBed.LeaseSeconds + 4));
        }
        finally
        {
            second?.Dispose();
        }
    }

    [Fact]
    public async Task Redis_killed_while_live_stops_the_channel_cleanly_within_the_lease_refuses_publishes_and_recovers()
    {
        FfmpegAvailability.SkipIfMissing();
        await using var nginx = await NginxPeer.StartAsync();
        await using var bed = await ClusterTestBed.StartAsync(1, ClusterMediaChannel.Arguments(nginx.RtmpPort));
        var a = bed.Nodes[0];
        // Provoked: SignalR's Redis backplane logs its lost connection as an error (the node stays up and reconnects).
        a.AllowedErrors.Add("RedisHubLifetimeManager");
        // Provoked too: with Redis gone, the room bus cannot tell the room that the channel went offline (logged as the
        // error it is; the node is unready meanwhile). Whether it gets logged depends on when the stop lands.
        a.AllowedErrors.Add("Telling the live room of channel");

        using var first = await ClusterMediaChannel.PublishUntilTakenAsync(a);
        await ClusterMediaChannel.WaitUntilAsync(async () => await ClusterMediaChannel.DestinationStateAsync(a) == "live", TimeSpan.FromSeconds(30),
            () => $"the destination never went live; publisher: {first.Stderr}");

        var clock = Stopwatch.StartNew();
        await bed.Redis.KillAsync();
        // Without renewals the node gives the channel up before the lease could have expired in Redis: another node
        // (one that still reaches Redis) may take it then, and two owners must never push.
        Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(ClusterTestBed.LeaseSeconds + 5)), "the publisher was not disconnected");
        var stopped = clock.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine($"redis kill -> channel stopped on its owner: {stopped.TotalSeconds:F2} s (lease {ClusterTestBed.LeaseSeconds} s)");
        Assert.True(stopped < TimeSpan.FromSeconds(ClusterTestBed.LeaseSeconds + 1));
        await ClusterMediaChannel.WaitUntilAsync(async () => await ClusterMediaChannel.DestinationStateAsync(a) != "live", TimeSpan.FromSeconds(10), () => "the destination kept pushing");

        // While Redis is down a publish is refused (ownership_unavailable), not accepted blindly; the node stays up.
        using var refused = ClusterMediaChannel.Publish(a, seconds: 10);
        Assert.True(await refused.WaitForExitAsync(TimeSpan.FromSeconds(15)), "a publish without Redis was accepted");
        Assert.Contains("The server cannot take the channel now", refused.Stderr);
        using (var http = new HttpClient())
        {
            Assert.True((await http.GetAsync(new Uri(a.BaseUrl, "/healthz"), Ct)).IsSuccessStatusCode);
        }

        await bed.Redis.RestartAsync();
        FfmpegPublisher? again = null;
        try
        {
            await ClusterMediaChannel.WaitUntilAsync(async () =>
            {
                again?.Dispose();
                again = ClusterMediaChannel.Publish(a);
                return !await again.WaitForExitAsync(TimeSpan.FromSeconds(2)) && await ClusterMediaChannel.OwnsAsync(a);
            }, TimeSpan.FromSeconds(30), () => $"no publish after Redis came back: {again?.Stderr}");
            await ClusterMediaChannel.WaitUntilAsync(async () => await ClusterMediaChannel.DestinationStateAsync(a) == "live", TimeSpan.FromSeconds(20),
                () => "the destination did not resume");
        }
        finally
        {
            again?.Dispose();
        }
    }
}
