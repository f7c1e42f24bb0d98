using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Relay.Ingest.Amf0;
using Relay.Ingest.Rtmp;

namespace Relay.Tests.Common.Media;

/// <summary>
/// A minimal RTMP publisher built on the production primitives, for precise timing of refusals and for sending
/// deliberately broken input. Real-encoder behaviour is covered by the ffmpeg publisher tests.
/// </summary>
internal sealed class RawRtmpClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly RtmpChunkStreamState _incoming = new();
    private readonly List<RtmpMessage> _received = [];
    private ReadOnlySequence<byte> _pending = ReadOnlySequence<byte>.Empty;
    private byte[] _pendingBytes = [];

    private RawRtmpClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static Task<RawRtmpClient> ConnectAsync(int port, CancellationToken cancellationToken) => ConnectAsync(port, null, cancellationToken);

    /// <summary>From <paramref name="localAddress"/> (e.g. 127.0.0.2: Linux routes all of 127/8 to lo), to be another IP to the gateway.</summary>
    public static async Task<RawRtmpClient> ConnectAsync(int port, IPAddress? localAddress, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (localAddress is not null)
        {
            socket.Bind(new IPEndPoint(localAddress, 0));
        }

        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
        return new RawRtmpClient(socket);
    }

    public IReadOnlyList<RtmpMessage> Received => _received;

    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    public Task SendAsync(byte[] data, CancellationToken cancellationToken) => _stream.WriteAsync(data, cancellationToken).AsTask();

    /// <summary>C0+C1, wait for S0+S1+S2, then C2 (echo of S1).</summary>
    public async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        var c0c1 = new byte[RtmpHandshake.C0C1Size];
        Random.Shared.NextBytes(c0c1);
        c0c1[0] = RtmpHandshake.Version;
        Array.Clear(c0c1, 1, 8);
        await _stream.WriteAsync(c0c1, cancellationToken);
        var s0s1s2 = new byte[1 + 2 * RtmpHandshake.PacketSize];
        await _stream.ReadExactlyAsync(s0s1s2, cancellationToken);
        Assert.Equal(RtmpHandshake.Version, s0s1s2[0]);
        await _stream.WriteAsync(s0s1s2.AsMemory(1, RtmpHandshake.PacketSize), cancellationToken);
    }

    public static byte[] Command(int chunkStreamId, uint messageStreamId, string name, double transactionId, object? commandObject, params object?[] arguments)
    {
        var payload = new ArrayBufferWriter<byte>();
        Amf0Writer.WriteString(payload, name);
        Amf0Writer.WriteNumber(payload, transactionId);
        Amf0Writer.WriteValue(payload, commandObject);
        foreach (var argument in arguments)
        {
            Amf0Writer.WriteValue(payload, argument);
        }

        var chunks = new ArrayBufferWriter<byte>();
        RtmpChunkWriter.Write(chunks, new RtmpMessageHeader(chunkStreamId, 0, payload.WrittenCount, RtmpMessageType.CommandAmf0, messageStreamId), payload.WrittenSpan, RtmpProtocol.DefaultChunkSize);
        return chunks.WrittenSpan.ToArray();
    }

    public static byte[] Connect(string app) => Command(3, 0, "connect", 1, new Amf0Object
    {
        ["app"] = app,
        ["type"] = "nonprivate",
        ["flashVer"] = "FMLE/3.0 (compatible; RelayTest)",
        ["tcUrl"] = $"rtmp://127.0.0.1/{app}",
    });

    /// <summary>connect, releaseStream, FCPublish, createStream as OBS sends them, then publish on stream 1.</summary>
    public async Task ConnectAndPublishAsync(string app, string key, CancellationToken cancellationToken)
    {
        await SendAsync(Connect(app), cancellationToken);
        await SendAsync(Command(3, 0, "releaseStream", 2, null, key), cancellationToken);
        await SendAsync(Command(3, 0, "FCPublish", 3, null, key), cancellationToken);
        await SendAsync(Command(3, 0, "createStream", 4, null), cancellationToken);
        await SendAsync(Command(4, 1, "publish", 5, null, key, "live"), cancellationToken);
    }

    /// <summary>Reads until the server closes the connection; returns how long that took, or null on timeout.</summary>
    public async Task<TimeSpan?> WaitForCloseAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await _stream.ReadAsync(buffer, cts.Token);
                if (n == 0)
                {
                    return watch.Elapsed;
                }

                Parse(buffer.AsSpan(0, n));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (IOException)
        {
            // Reset by the server: closed as well.
            return watch.Elapsed;
        }
    }

    /// <summary>Reads until a command with the given onStatus code arrives (the <paramref name="occurrences"/>-th one).</summary>
    public async Task<bool> WaitForStatusAsync(string code, TimeSpan timeout, CancellationToken cancellationToken, int occurrences = 1)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var buffer = new byte[64 * 1024];
        try
        {
            while (StatusCount(code) < occurrences)
            {
                var n = await _stream.ReadAsync(buffer, cts.Token);
                if (n == 0)
                {
                    return false;
                }

                Parse(buffer.AsSpan(0, n));
            }

            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private int StatusCount(string code) => _received.Count(m =>
        RtmpCommand.TryParse(m, out var c, out _) && c!.Name == "onStatus"
        && c.Arguments.Count > 0 && c.Arguments[0] is IReadOnlyDictionary<string, object?> info && info.GetValueOrDefault("code") as string == code);

    private void Parse(ReadOnlySpan<byte> data)
    {
        _pendingBytes = [.. _pendingBytes, .. data];
        _pending = new ReadOnlySequence<byte>(_pendingBytes);
        while (RtmpChunkReader.TryRead(ref _pending, _incoming, out var message) is RtmpChunkStatus.ChunkConsumed or RtmpChunkStatus.MessageComplete)
        {
            if (message is not null)
            {
                _received.Add(message);
            }
        }

        _pendingBytes = _pending.ToArray();
    }

    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();
}
