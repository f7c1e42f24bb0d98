using System.Net;
using System.Net.Sockets;
using Relay.Ingest.Configuration;
using Relay.Ingest.Diagnostics;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Ingest;

/// <summary>
/// A real encoder (ffmpeg) must get in although others hold the ingest's pending slots or guess keys from its own
/// address: the lockouts of review finding M7. Other client addresses are other loopback addresses (127.0.0.2...).
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class IngestLockoutTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Idle_connections_filling_every_pending_slot_cannot_lock_out_a_real_publisher()
    {
        await using var host = await IngestTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Ingest:MaxPendingConnections"] = "8",
            ["Relay:Ingest:MaxPendingConnectionsPerIp"] = "2",
            ["Relay:Ingest:HandshakeTimeoutSeconds"] = "20",
        });
        var evictedBefore = IngestMetrics.Rejected.WithLabels(Relay.Ingest.Publishing.PublishRejectReason.TooManyConnections).Value;

        // Four attacker addresses, two slots each: the pool is full. Each sends C0 and stops (past the first-byte deadline).
        var attackers = new List<Socket>();
        try
        {
            for (var a = 2; a <= 5; a++)
            {
                for (var i = 0; i < 2; i++)
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    attackers.Add(socket);
                    socket.Bind(new IPEndPoint(IPAddress.Parse($"127.0.0.{a}"), 0));
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, host.RtmpPort), Ct);
                    await socket.SendAsync(new byte[] { 3 }, SocketFlags.None, Ct);
                }
            }

            await WaitForAsync(() => Relay.Ingest.Diagnostics.IngestMetrics.GatewayPendingConnections.Value >= 8, "the attackers to fill the pool");

            using var publisher = FfmpegPublisher.Start(host.RtmpUrl(IngestTestHost.DemoKey), seconds: 30);
            await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(15));
            Assert.False(publisher.HasExited, publisher.Stderr);
            Assert.True(IngestMetrics.Rejected.WithLabels(Relay.Ingest.Publishing.PublishRejectReason.TooManyConnections).Value >= evictedBefore + 1);
            await host.AssertKeyframeArrivesAsync("demo", "the publisher admitted past a full pool");
        }
        finally
        {
            foreach (var socket in attackers)
            {
                socket.Dispose();
            }
        }

        await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(10));
        await host.AssertNoFfmpegLeftAsync();
    }

    [Fact]
    public async Task A_real_publisher_is_admitted_from_an_address_that_just_sent_wrong_keys()
    {
        await using var host = await IngestTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Ingest:FailedAuthAttemptsBeforeBackoff"] = "2",
            ["Relay:Ingest:MaxAuthBackoffSeconds"] = "300",
        });
        // A guesser on the encoder's address (a shared NAT, an RTMPS terminator on localhost): six distinct wrong keys.
        for (var i = 0; i < 6; i++)
        {
            await using var guesser = await RawRtmpClient.ConnectAsync(host.RtmpPort, IPAddress.Loopback, Ct);
            await guesser.HandshakeAsync(Ct);
            await guesser.ConnectAndPublishAsync("live", $"GUESS-{i}", Ct);
            Assert.NotNull(await guesser.WaitForCloseAsync(TimeSpan.FromSeconds(10), Ct));
        }

        Assert.True(host.Gateway.IsBlocked(IPAddress.Loopback), "the address should be in its brute-force wait");
        using var publisher = FfmpegPublisher.Start(host.RtmpUrl(IngestTestHost.DemoKey), seconds: 30);
        await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(15));
        await host.AssertKeyframeArrivesAsync("demo", "the publisher sharing a guesser's address");
        Assert.False(publisher.HasExited, publisher.Stderr);
        publisher.Dispose();
        await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(10));
        await host.AssertNoFfmpegLeftAsync();
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20, Ct);
        }
    }
}
