using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Relay.Ingest.Amf0;
using Relay.Ingest.Rtmp;

namespace Relay.Tests.Common.Peers;

/// <summary>
/// A destination server that behaves until the publish starts and then streams AMF commands no server ever sends,
/// paced at a fixed byte rate, while it keeps reading (and discarding) the media so the push never stalls. The
/// flood alternates the review's message (H1: a 64 KiB command holding a strict array of 60,000 nulls, ~480 KB once
/// decoded by a reader without caps) with commands that stay inside any sane decoding cap (1,000 numbers, ~33 KB
/// decoded), so a relay that kept what a destination sends after the publish grows either way.
/// </summary>
public sealed class HostileRtmpServer : IAsyncDisposable
{
    private static readonly byte[] NullsCommand = Build(NullsBody(60_000));
    private static readonly byte[] NumbersCommand = Build(NumbersBody(1_000));
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private readonly List<Task> _sessions = [];
    private readonly long _bytesPerSecond;
    private long _flooded;
    private int _connections;

    public HostileRtmpServer(long bytesPerSecond)
    {
        _bytesPerSecond = bytesPerSecond;
        _listener.Start();
        _accept = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Bytes of hostile commands written to the relay so far, over every connection.</summary>
    public long FloodedBytes => Interlocked.Read(ref _flooded);

    /// <summary>Publishes the relay made (a reconnect is a second one).</summary>
    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                lock (_sessions) _sessions.Add(Task.Run(() => ServeAsync(socket, _stop.Token)));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(Socket socket, CancellationToken ct)
    {
        using var owned = socket;
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            if (!await HandshakeAndAcceptPublishAsync(stream, ct)) return;
            Interlocked.Increment(ref _connections);
            using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var drain = DrainAsync(stream, done.Token);
            var flood = FloodAsync(stream, done.Token);
            await Task.WhenAny(drain, flood);
            await done.CancelAsync();
            await Task.WhenAll(drain, flood).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or EndOfStreamException)
        {
        }
    }

    /// <summary>A well-behaved server until <c>NetStream.Publish.Start</c>: the handshake, then connect/createStream/publish answered.</summary>
    internal static async Task<bool> HandshakeAndAcceptPublishAsync(NetworkStream stream, CancellationToken ct)
    {
        var c0c1 = new byte[RtmpHandshake.C0C1Size];
        await stream.ReadExactlyAsync(c0c1, ct);
        var s0s1 = new byte[1 + RtmpHandshake.PacketSize];
        s0s1[0] = RtmpHandshake.Version;
        await stream.WriteAsync(s0s1, ct);
        await stream.ReadExactlyAsync(new byte[RtmpHandshake.PacketSize], ct);
        await stream.WriteAsync(c0c1.AsMemory(1), ct);

        var state = new RtmpChunkStreamState();
        var pending = Array.Empty<byte>();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var n = await stream.ReadAsync(buffer, ct);
            if (n == 0) return false;
            pending = [.. pending, .. buffer.AsSpan(0, n)];
            var sequence = new ReadOnlySequence<byte>(pending);
            while (RtmpChunkReader.TryRead(ref sequence, state, out var message) is RtmpChunkStatus.ChunkConsumed or RtmpChunkStatus.MessageComplete)
            {
                if (message is null || message.Header.TypeId != RtmpMessageType.CommandAmf0 || !RtmpCommand.TryParse(message, out var command, out _)) continue;
                switch (command!.Name)
                {
                    case "connect":
                        await stream.WriteAsync(Command(3, 0, "_result", command.TransactionId, new Amf0Object { ["fmsVer"] = "FMS/3,0,1,123" }, Status("NetConnection.Connect.Success")), ct);
                        break;
                    case "createStream":
                        await stream.WriteAsync(Command(3, 0, "_result", command.TransactionId, null, 1.0), ct);
                        break;
                    case "publish":
                        var start = new ArrayBufferWriter<byte>();
                        start.Write(Command(5, 1, "onStatus", 0, null, Status("NetStream.Publish.Start")));
                        RtmpChunkWriter.WriteSetChunkSize(start, 65536);
                        await stream.WriteAsync(start.WrittenMemory, ct);
                        return true;
                }
            }

            pending = sequence.ToArray();
        }
    }

    /// <summary>Reads what the relay publishes and throws it away: the push must not stall on this server.</summary>
    private static async Task DrainAsync(NetworkStream stream, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        while (await stream.ReadAsync(buffer, ct) > 0)
        {
        }
    }

    private async Task FloodAsync(NetworkStream stream, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        long sent = 0;
        for (var i = 0; ; i++)
        {
            var message = i % 2 == 0 ? NullsCommand : NumbersCommand;
            await stream.WriteAsync(message, ct);
            sent += message.Length;
            Interlocked.Add(ref _flooded, message.Length);
            var due = TimeSpan.FromSeconds((double)sent / _bytesPerSecond) - clock.Elapsed;
            if (due > TimeSpan.Zero) await Task.Delay(due, ct);
        }
    }

    /// <summary><c>"x", 0, null, [null x count]</c>: the shape from the review.</summary>
    private static byte[] NullsBody(int count)
    {
        var body = new ArrayBufferWriter<byte>();
        Amf0Writer.WriteString(body, "x");
        Amf0Writer.WriteNumber(body, 0);
        Amf0Writer.WriteValue(body, null);
        var header = body.GetSpan(5);
        header[0] = 0x0A; // strict array
        BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)count);
        body.Advance(5);
        body.GetSpan(count)[..count].Fill(0x05);
        body.Advance(count);
        return body.WrittenSpan.ToArray();
    }

    private static byte[] NumbersBody(int count)
    {
        var body = new ArrayBufferWriter<byte>();
        Amf0Writer.WriteString(body, "onFlood");
        Amf0Writer.WriteNumber(body, 0);
        Amf0Writer.WriteValue(body, null);
        Amf0Writer.WriteValue(body, Enumerable.Range(0, count).Select(i => (object?)(double)i).ToArray());
        return body.WrittenSpan.ToArray();
    }

    /// <summary>One message in one chunk (the server announced a 64 KiB chunk size).</summary>
    private static byte[] Build(byte[] body)
    {
        var output = new ArrayBufferWriter<byte>();
        RtmpChunkWriter.Write(output, new RtmpMessageHeader(3, 0, body.Length, RtmpMessageType.CommandAmf0, 0), body, 65536);
        return output.WrittenSpan.ToArray();
    }

    private static Amf0Object Status(string code) => new() { ["level"] = "status", ["code"] = code, ["description"] = code };

    private static byte[] Command(int csid, uint streamId, string name, double transaction, object? commandObject, params object?[] args)
    {
        var payload = new ArrayBufferWriter<byte>();
        Amf0Writer.WriteString(payload, name);
        Amf0Writer.WriteNumber(payload, transaction);
        Amf0Writer.WriteValue(payload, commandObject);
        foreach (var a in args) Amf0Writer.WriteValue(payload, a);
        var output = new ArrayBufferWriter<byte>();
        RtmpChunkWriter.Write(output, new RtmpMessageHeader(csid, 0, payload.WrittenCount, RtmpMessageType.CommandAmf0, streamId), payload.WrittenSpan, RtmpProtocol.DefaultChunkSize);
        return output.WrittenSpan.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Task[] sessions;
        lock (_sessions) sessions = [.. _sessions];
        await Task.WhenAll(sessions).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
