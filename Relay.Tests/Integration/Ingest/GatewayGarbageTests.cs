using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Relay.Ingest.Configuration;
using Relay.Ingest.Diagnostics;
using Relay.Ingest.Rtmp;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Integration.Ingest;

/// <summary>Hostile or broken input on the RTMP port never crashes the gateway or leaks processes.</summary>
[Collection(RealFfmpegCollection.Name)]
public class GatewayGarbageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Junk_before_a_sane_handshake_is_refused_without_starting_ffmpeg()
    {
        await using var host = await IngestTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Ingest:HandshakeTimeoutSeconds"] = "1.5",
            ["Relay:Ingest:MaxPendingConnectionsPerIp"] = "32",
        });
        var protocolErrors = IngestMetrics.Rejected.WithLabels("protocol_error").Value;
        var timeouts = IngestMetrics.Rejected.WithLabels("handshake_timeout").Value;

        var random = new byte[4096];
        Random.Shared.NextBytes(random);
        random[0] = 0x16; // a TLS ClientHello on the plain port
        var http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray();
        var truncated = new byte[100];
        truncated[0] = RtmpHandshake.Version;

        var closes = await Task.WhenAll(
            SendAndWaitForCloseAsync(host, random, TimeSpan.FromSeconds(1)),
            SendAndWaitForCloseAsync(host, http, TimeSpan.FromSeconds(1)),
            SendAndWaitForCloseAsync(host, truncated, TimeSpan.FromSeconds(3), halfClose: true),
            // Slowloris: a valid first byte, then nothing until the deadline.
            SendAndWaitForCloseAsync(host, truncated, TimeSpan.FromSeconds(3)));

        Assert.All(closes, c => Assert.NotNull(c));
        Assert.InRange(closes[3]!.Value.TotalSeconds, 1.2, 2.9);
        Assert.Equal(0, host.Processes.StartedCount);
        Assert.True(IngestMetrics.Rejected.WithLabels("protocol_error").Value >= protocolErrors + 3);
        Assert.True(IngestMetrics.Rejected.WithLabels("handshake_timeout").Value >= timeouts + 1);

        await PublishWorksAsync(host);
    }

    [Fact]
    public async Task Broken_chunk_streams_after_a_valid_handshake_are_refused_without_a_process_left()
    {
        await using var host = await IngestTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Ingest:HandshakeTimeoutSeconds"] = "1.5",
            ["Relay:Ingest:MaxPendingConnectionsPerIp"] = "32",
        });

        var hugeChunkSize = new ArrayBufferWriter<byte>();
        RtmpChunkWriter.WriteSetChunkSize(hugeChunkSize, RtmpProtocol.MaxChunkSize);
        // ... followed by a 16 MiB message header: over the pre-publish limit.
        var hugeMessage = hugeChunkSize.WrittenSpan.ToArray().Concat(new byte[] { 0x03, 0, 0, 0, 0xFF, 0xFF, 0xFF, 20, 0, 0, 0, 0 }).ToArray();

        var badAmf = new ArrayBufferWriter<byte>();
        byte[] junkPayload = [0x02, 0x00, 0x07, (byte)'c', (byte)'o', (byte)'n', (byte)'n', (byte)'e', (byte)'c', (byte)'t', 0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0x03, 0x00, 0x03, (byte)'a', (byte)'p', (byte)'p', 0x0A, 0xFF, 0xFF, 0xFF, 0xFF];
        RtmpChunkWriter.Write(badAmf, new RtmpMessageHeader(3, 0, junkPayload.Length, RtmpMessageType.CommandAmf0, 0), junkPayload, 128);

        var media = new ArrayBufferWriter<byte>();
        RtmpChunkWriter.Write(media, new RtmpMessageHeader(6, 0, 5, RtmpMessageType.Video, 1), [0x17, 0, 0, 0, 0], 128);
        var mediaBeforePublish = RawRtmpClient.Connect("live").Concat(media.WrittenSpan.ToArray()).ToArray();

        byte[] fmt3WithoutHeader = [0xC3, 1, 2, 3, 4];
        var randomChunks = new byte[2048];
        Random.Shared.NextBytes(randomChunks);

        var started = host.Processes.StartedCount;
        var results = await Task.WhenAll(
            AfterHandshakeAsync(host, hugeMessage),
            AfterHandshakeAsync(host, badAmf.WrittenSpan.ToArray()),
            AfterHandshakeAsync(host, mediaBeforePublish),
            AfterHandshakeAsync(host, fmt3WithoutHeader),
            AfterHandshakeAsync(host, randomChunks),
            // Slowloris after the handshake: connect, then one byte at a time; the deadline ends it.
            AfterHandshakeAsync(host, RawRtmpClient.Connect("live"), dribble: true));

        Assert.All(results, r => Assert.True(r is not null && r < TimeSpan.FromSeconds(3), $"closed after {r}"));
        // The gateway answers every handshake itself: no process is started for any of them.
        Assert.Equal(started, host.Processes.StartedCount);
        await host.AssertNoFfmpegLeftAsync();
        Assert.Empty(host.Channels.LiveChannelIds);

        await PublishWorksAsync(host);
    }

    [Fact]
    public async Task A_native_client_that_never_reads_its_answers_is_closed_at_the_handshake_deadline()
    {
        // The gateway answers pings itself. A client that floods them and never reads fills the server's
        // send buffer; the blocked write must still end at the handshake deadline, not hold a pending slot forever.
        await using var host = await IngestTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Ingest:HandshakeTimeoutSeconds"] = "1.5",
        });
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, host.RtmpPort), Ct);
        var c0c1 = new byte[RtmpHandshake.C0C1Size];
        c0c1[0] = RtmpHandshake.Version;
        await socket.SendAsync(c0c1, Ct);
        var s0s1s2 = new byte[1 + 2 * RtmpHandshake.PacketSize];
        for (var read = 0; read < s0s1s2.Length;)
        {
            read += await socket.ReceiveAsync(s0s1s2.AsMemory(read), Ct);
        }

        await socket.SendAsync(s0s1s2.AsMemory(1, RtmpHandshake.PacketSize), Ct);
        var ping = new ArrayBufferWriter<byte>();
        RtmpChunkWriter.Write(ping, new RtmpMessageHeader(2, 0, 6, RtmpMessageType.UserControl, 0), [0, 6, 0, 0, 0, 1], 128);
        var flood = Enumerable.Repeat(ping.WrittenSpan.ToArray(), 4000).SelectMany(b => b).ToArray();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(8));
        var closed = false;
        try
        {
            while (!timeout.IsCancellationRequested)
            {
                await socket.SendAsync(flood, timeout.Token);
            }
        }
        catch (SocketException)
        {
            // Reset by the server: it closed the connection with our pings unread.
            closed = true;
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
        }

        Assert.True(closed, $"still open after {watch.Elapsed}");
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.5, 5);
        Assert.Empty(host.Channels.LiveChannelIds);
    }

    [Fact]
    public async Task A_new_connection_past_the_per_address_cap_evicts_that_address_s_oldest_pending_one()
    {
        await using var host = await IngestTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Ingest:MaxPendingConnectionsPerIp"] = "2",
            ["Relay:Ingest:FirstByteTimeoutSeconds"] = "8",
        });
        var before = IngestMetrics.Rejected.WithLabels("too_many_connections").Value;
        using var a = await OpenAsync(host);
        await Task.Delay(200, Ct);
        using var b = await OpenAsync(host);
        await Task.Delay(200, Ct);
        using var c = await OpenAsync(host);

        // The oldest (a) is closed; the newcomer is kept.
        var buffer = new byte[1];
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            Assert.Equal(0, await a.ReceiveAsync(buffer, cts.Token));
        }

        Assert.True(IngestMetrics.Rejected.WithLabels("too_many_connections").Value >= before + 1);
        Assert.Equal(0, host.Processes.StartedCount);

        // Two idle connections hold the address's slots, and an encoder from it still gets in.
        await PublishWorksAsync(host);
    }

    [Fact]
    public async Task A_connection_that_sends_nothing_is_closed_at_the_first_byte_deadline()
    {
        await using var host = await IngestTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Ingest:FirstByteTimeoutSeconds"] = "1",
            ["Relay:Ingest:HandshakeTimeoutSeconds"] = "20",
        });
        var before = IngestMetrics.Rejected.WithLabels("handshake_timeout").Value;
        using var idle = await OpenAsync(host);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var buffer = new byte[1];
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(8)))
        {
            Assert.Equal(0, await idle.ReceiveAsync(buffer, cts.Token));
        }

        Assert.InRange(watch.Elapsed.TotalSeconds, 0.5, 6);
        Assert.True(IngestMetrics.Rejected.WithLabels("handshake_timeout").Value >= before + 1);
    }

    private static async Task<Socket> OpenAsync(IngestTestHost host)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, host.RtmpPort), Ct);
        return socket;
    }

    private static async Task<TimeSpan?> SendAndWaitForCloseAsync(IngestTestHost host, byte[] data, TimeSpan timeout, bool halfClose = false)
    {
        await using var client = await RawRtmpClient.ConnectAsync(host.RtmpPort, Ct);
        await client.SendAsync(data, Ct);
        if (halfClose)
        {
            // Truncated handshake: the client stops sending (FIN) but keeps reading.
            client.ShutdownSend();
        }

        return await client.WaitForCloseAsync(timeout, Ct);
    }

    private static async Task<TimeSpan?> AfterHandshakeAsync(IngestTestHost host, byte[] data, bool dribble = false)
    {
        await using var client = await RawRtmpClient.ConnectAsync(host.RtmpPort, Ct);
        await client.HandshakeAsync(Ct);
        if (!dribble)
        {
            await client.SendAsync(data, Ct);
            return await client.WaitForCloseAsync(TimeSpan.FromSeconds(3), Ct);
        }

        var closed = client.WaitForCloseAsync(TimeSpan.FromSeconds(3), Ct);
        try
        {
            foreach (var b in data)
            {
                if (closed.IsCompleted)
                {
                    break;
                }

                await client.SendAsync([b], Ct);
                await Task.Delay(100, Ct);
            }
        }
        catch (IOException)
        {
            // Closed by the gateway mid-dribble, as intended.
        }

        return await closed;
    }

    private static async Task PublishWorksAsync(IngestTestHost host)
    {
        await using var client = await RawRtmpClient.ConnectAsync(host.RtmpPort, Ct);
        await client.HandshakeAsync(Ct);
        await client.ConnectAndPublishAsync("live", IngestTestHost.DemoKey, Ct);
        Assert.True(await client.WaitForStatusAsync("NetStream.Publish.Start", TimeSpan.FromSeconds(5), Ct), "a valid publish right after the junk failed");
        Assert.True(host.Channels.IsLive("demo"));
        await client.DisposeAsync();
        await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(5));
        await host.AssertNoFfmpegLeftAsync();
        host.AssertLogsClean();
    }
}
