using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Relay.Ingest.Amf0;
using Relay.Ingest.Egress;
using Relay.Ingest.Egress.Rtmp;
using Relay.Ingest.Media;
using Relay.Ingest.Rtmp;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Integration.Egress;

/// <summary>
/// The pusher against a scripted RTMP server built on the production chunk primitives, for protocol edges no
/// real peer here produces on demand: ping requests while publishing, a rejected connect, an error status
/// after the publish started, and the exact command sequence and chunk size on the wire.
/// </summary>
public sealed class ScriptedServerTests
{
    private enum Script { Accept, RejectConnect, ErrorAfterStart, FloodThenError, HostileDescription }

    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Task _run;
        private readonly CancellationTokenSource _stop = new();

        public ScriptedServer(Script script)
        {
            _listener.Start();
            _run = Task.Run(() => ServeAsync(script, _stop.Token));
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public List<RtmpCommand> Commands { get; } = [];

        public List<RtmpMessage> Media { get; } = [];

        public TaskCompletionSource<uint> PingAnswered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int? ClientChunkSize { get; private set; }

        public TaskCompletionSource Unpublished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private async Task ServeAsync(Script script, CancellationToken ct)
        {
            using var socket = await _listener.AcceptSocketAsync(ct);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var c0c1 = new byte[RtmpHandshake.C0C1Size];
            await stream.ReadExactlyAsync(c0c1, ct);
            var s0s1 = new byte[1 + RtmpHandshake.PacketSize];
            s0s1[0] = RtmpHandshake.Version;
            await stream.WriteAsync(s0s1, ct);
            await stream.ReadExactlyAsync(new byte[RtmpHandshake.PacketSize], ct); // C2
            await stream.WriteAsync(c0c1.AsMemory(1), ct); // S2 echoes C1

            var state = new RtmpChunkStreamState();
            var pending = Array.Empty<byte>();
            var buffer = new byte[64 * 1024];
            var mediaCount = 0;
            while (true)
            {
                var n = await stream.ReadAsync(buffer, ct);
                if (n == 0) return;
                pending = [.. pending, .. buffer.AsSpan(0, n)];
                var sequence = new ReadOnlySequence<byte>(pending);
                while (RtmpChunkReader.TryRead(ref sequence, state, out var message) is RtmpChunkStatus.ChunkConsumed or RtmpChunkStatus.MessageComplete)
                {
                    if (message is null) continue;
                    if (message.Header.TypeId == RtmpMessageType.SetChunkSize) ClientChunkSize = BinaryPrimitives.ReadInt32BigEndian(message.Payload.Span);
                    if (message.Header.TypeId == RtmpMessageType.UserControl && BinaryPrimitives.ReadUInt16BigEndian(message.Payload.Span) == 7)
                    {
                        PingAnswered.TrySetResult(BinaryPrimitives.ReadUInt32BigEndian(message.Payload.Span[2..]));
                    }

                    if (message.Header.TypeId is RtmpMessageType.Audio or RtmpMessageType.Video or RtmpMessageType.DataAmf0)
                    {
                        lock (Media) Media.Add(message);
                        if (++mediaCount == 20)
                        {
                            // Mid-publish: ask for a ping (the client must echo the timestamp), or end the publish.
                            if (script == Script.ErrorAfterStart)
                            {
                                await SendAsync(stream, Command(5, 1, "onStatus", 0, null, Status("error", "NetStream.Publish.Rejected", "stream revoked")), ct);
                            }
                            else if (script == Script.FloodThenError)
                            {
                                // Commands no server sends, over and under the AMF0 caps, then the status that matters.
                                for (var i = 0; i < 200; i++)
                                {
                                    await SendAsync(stream, Command(3, 0, "x", 0, null, new object?[(i % 3) switch { 0 => 1024, 1 => 600, _ => 1025 }]), ct);
                                }

                                await SendAsync(stream, Command(5, 1, "onStatus", 0, null, Status("status", "NetStream.Unpublish.Success", "bye")), ct);
                            }
                            else if (script == Script.HostileDescription)
                            {
                                // CR/LF to forge a log line, the key URL-encoded (and encoded twice), then 5,000 characters.
                                var description = "revoked\r\n2026-12-06 INFO Relay: destination ok key=%74%68%65%6B%65%79 %2574%2568%2565%256B%2565%2579\u202E" + new string('x', 5000);
                                await SendAsync(stream, Command(5, 1, "onStatus", 0, null, Status("error", "NetStream.Publish.Rejected\n", description)), ct);
                            }
                            else
                            {
                                var ping = new byte[6];
                                BinaryPrimitives.WriteUInt16BigEndian(ping, 6);
                                BinaryPrimitives.WriteUInt32BigEndian(ping.AsSpan(2), 424242);
                                await SendAsync(stream, Message(2, 0, RtmpMessageType.UserControl, ping), ct);
                            }
                        }
                    }

                    if (message.Header.TypeId != RtmpMessageType.CommandAmf0 || !RtmpCommand.TryParse(message, out var command, out _)) continue;
                    lock (Commands) Commands.Add(command!);
                    switch (command!.Name)
                    {
                        case "connect" when script == Script.RejectConnect:
                            await SendAsync(stream, Command(3, 0, "_error", command.TransactionId, null, Status("error", "NetConnection.Connect.Rejected", "bad app")), ct);
                            break;
                        case "connect":
                            await SendAsync(stream, Command(3, 0, "_result", command.TransactionId, new Amf0Object { ["fmsVer"] = "FMS/3,0,1,123" }, Status("status", "NetConnection.Connect.Success", "ok")), ct);
                            break;
                        case "createStream":
                            await SendAsync(stream, Command(3, 0, "_result", command.TransactionId, null, 1.0), ct);
                            break;
                        case "publish":
                            await SendAsync(stream, Command(5, 1, "onStatus", 0, null, Status("status", "NetStream.Publish.Start", $"{command.Arguments[0]} is now published")), ct);
                            break;
                        case "deleteStream":
                            Unpublished.TrySetResult();
                            break;
                    }
                }

                pending = sequence.ToArray();
            }
        }

        private static Amf0Object Status(string level, string code, string description) =>
            new() { ["level"] = level, ["code"] = code, ["description"] = description };

        private static byte[] Command(int csid, uint streamId, string name, double transaction, object? commandObject, params object?[] args)
        {
            var payload = new ArrayBufferWriter<byte>();
            Amf0Writer.WriteString(payload, name);
            Amf0Writer.WriteNumber(payload, transaction);
            Amf0Writer.WriteValue(payload, commandObject);
            foreach (var a in args) Amf0Writer.WriteValue(payload, a);
            return Message(csid, streamId, RtmpMessageType.CommandAmf0, payload.WrittenSpan.ToArray());
        }

        private static byte[] Message(int csid, uint streamId, byte type, byte[] payload)
        {
            var output = new ArrayBufferWriter<byte>();
            RtmpChunkWriter.Write(output, new RtmpMessageHeader(csid, 0, payload.Length, type, streamId), payload, RtmpProtocol.DefaultChunkSize);
            return output.WrittenSpan.ToArray();
        }

        private static Task SendAsync(NetworkStream stream, byte[] data, CancellationToken ct) => stream.WriteAsync(data, ct).AsTask();

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _stop.Dispose();
        }
    }

    private static (Task<EgressOutcome> Push, PushCounters Observer, CancellationTokenSource Stop, ReplaySource Source) StartPush(int port, IReadOnlyList<FlvTag> clip)
    {
        Assert.True(RtmpPushTarget.TryParse($"rtmp://127.0.0.1:{port}/live", "thekey", out var target, out _));
        var pusher = new RtmpPusher(target!, new RtmpPushSettings { SetupTimeout = TimeSpan.FromSeconds(5) }, TimeProvider.System, NullLogger.Instance);
        var source = new ReplaySource(clip);
        var observer = new PushCounters();
        var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var feed = source.Subscribe("t", 600);
        var push = Task.Run(async () => { using (feed) return await pusher.RunAsync(feed, observer, stop.Token); });
        return (push, observer, stop, source);
    }

    [Fact]
    public async Task Publishes_in_the_expected_order_answers_pings_and_unpublishes_on_stop()
    {
        var clip = await TestClip.LoadAsync();
        await using var server = new ScriptedServer(Script.Accept);
        var (push, observer, stop, source) = StartPush(server.Port, clip);
        await using (source)
        using (stop)
        {
            await observer.Live.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            Assert.Equal(424242u, await server.PingAnswered.Task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
            await stop.CancelAsync();
            Assert.Equal(EgressStage.Canceled, (await push).Stage);
            await server.Unpublished.Task.WaitAsync(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        }

        List<RtmpCommand> commands;
        lock (server.Commands) commands = [.. server.Commands];
        Assert.Equal(["connect", "releaseStream", "FCPublish", "createStream", "publish", "FCUnpublish", "deleteStream"], commands.Select(c => c.Name));
        var connect = Assert.IsType<Amf0Object>(commands[0].CommandObject);
        Assert.Equal("live", connect["app"]);
        Assert.Equal($"rtmp://127.0.0.1:{server.Port}/live", connect["tcUrl"]);
        Assert.Equal("nonprivate", connect["type"]);
        Assert.StartsWith("FMLE/3.0", (string)connect["flashVer"]!);
        Assert.Equal(["thekey", "live"], commands[4].Arguments);
        Assert.Equal(4096, server.ClientChunkSize);
        RtmpMessage first;
        lock (server.Media) first = server.Media[0];
        // The first media message is the metadata, sent as @setDataFrame onMetaData on the publish stream.
        Assert.Equal(RtmpMessageType.DataAmf0, first.Header.TypeId);
        Assert.Equal(1u, first.Header.MessageStreamId);
        var reader = new Amf0Reader(first.Payload.Span);
        Assert.Equal("@setDataFrame", reader.ReadString());
        Assert.Equal("onMetaData", reader.ReadString());
    }

    [Fact]
    public async Task A_rejected_connect_is_an_authentication_failure_with_the_servers_code()
    {
        var clip = await TestClip.LoadAsync();
        await using var server = new ScriptedServer(Script.RejectConnect);
        var (push, _, stop, source) = StartPush(server.Port, clip);
        await using (source)
        using (stop)
        {
            var outcome = await push.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            Assert.Equal(new EgressOutcome(EgressStage.Publish, "authentication failed: NetConnection.Connect.Rejected (bad app)"), outcome);
        }
    }

    [Fact]
    public async Task An_error_status_after_the_start_ends_the_push_with_the_code()
    {
        var clip = await TestClip.LoadAsync();
        await using var server = new ScriptedServer(Script.ErrorAfterStart);
        var (push, observer, stop, source) = StartPush(server.Port, clip);
        await using (source)
        using (stop)
        {
            await observer.Live.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            var outcome = await push.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            Assert.Equal(new EgressOutcome(EgressStage.ClosedByPeer, "server ended the publish: NetStream.Publish.Rejected (stream revoked)"), outcome);
        }
    }

    [Fact]
    public async Task Commands_flooded_after_the_start_are_dropped_and_a_status_ending_the_publish_still_ends_it()
    {
        var clip = await TestClip.LoadAsync();
        await using var server = new ScriptedServer(Script.FloodThenError);
        var (push, observer, stop, source) = StartPush(server.Port, clip);
        await using (source)
        using (stop)
        {
            await observer.Live.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            var outcome = await push.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            Assert.Equal(new EgressOutcome(EgressStage.ClosedByPeer, "server ended the publish: NetStream.Unpublish.Success (bye)"), outcome);
        }
    }

    [Fact]
    public async Task A_servers_status_text_reaches_lastError_without_line_breaks_its_length_or_the_key_in_any_encoding()
    {
        var clip = await TestClip.LoadAsync();
        await using var server = new ScriptedServer(Script.HostileDescription);
        var (push, observer, stop, source) = StartPush(server.Port, clip);
        await using (source)
        using (stop)
        {
            await observer.Live.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            var outcome = await push.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            Assert.Equal(EgressStage.ClosedByPeer, outcome.Stage);
            Assert.StartsWith("server ended the publish: NetStream.Publish.Rejected (revoked 2026-12-06 INFO Relay: destination ok key=**** ****x", outcome.Error);
            Assert.DoesNotContain(outcome.Error, c => char.IsControl(c) || c == '\u202E');
            Assert.DoesNotContain("thekey", outcome.Error, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("%74", outcome.Error, StringComparison.Ordinal);
            Assert.InRange(outcome.Error.Length, 200, 300);
            Assert.EndsWith("x…)", outcome.Error);
        }
    }
}
