// A lean receive-only hub client for the fan-out benchmark: one raw TCP socket per connection, a hand-written
// WebSocket upgrade, the SignalR MessagePack handshake, one pre-encoded Join invocation, then a receive loop that
// parses just enough of each frame to pull the sequence number out of `message` events. It costs the load tool a
// fraction of what a full HubConnection costs per delivery, so the tool takes less of the 2 shared cores away
// from the server it measures. The sender (host) stays on the real SignalR client.
using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MessagePack;

sealed class LeanHubClient : IAsyncDisposable
{
    private static readonly byte[] MessageTarget = "message"u8.ToArray();
    private static readonly byte[] TextKey = "text"u8.ToArray();
    private static readonly byte[] BenchPrefix = "bench "u8.ToArray();
    // SignalR MessagePack ping: length 1, [6].
    private static readonly byte[] PingMessage = [0x02, 0x91, 0x06];

    private readonly Socket _socket;
    private readonly Action<long> _onBench;
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private byte[] _recv = new byte[4096];
    private int _recvStart, _recvEnd;
    // Payload of data frames not yet parsed into SignalR messages (a message may span frames).
    private byte[] _payload = new byte[4096];
    private int _payloadLength;
    private bool _handshakeDone;
    private Task _loop = Task.CompletedTask;
    private readonly SemaphoreSlim _sendGate = new(1, 1);

    public long Received;
    public long Closed;

    private LeanHubClient(Socket socket, Action<long> onBench) => (_socket, _onBench) = (socket, onBench);

    /// <summary>Connects, upgrades, hand-shakes and joins <paramref name="channelId"/>; returns once the Join completed.</summary>
    public static async Task<LeanHubClient> ConnectAsync(Uri baseUri, string channelId, string displayName, Action<long> onBench, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var client = new LeanHubClient(socket, onBench);
        try
        {
            await socket.ConnectAsync(new DnsEndPoint(baseUri.Host, baseUri.Port), ct);
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var request = $"GET /hubs/live HTTP/1.1\r\nHost: {baseUri.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                          $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, ct);
            await client.ReadUpgradeResponseAsync(ct);
            // Handshake and Join in one write: the server parses the handshake, then the invocation behind it.
            var hello = "{\"protocol\":\"messagepack\",\"version\":1}\u001e"u8.ToArray();
            await client.SendFrameAsync([.. hello, .. JoinInvocation(channelId, displayName)], ct);
            client._loop = client.ReceiveLoopAsync();
            await client._joined.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The same with blocking calls only, so the socket is never registered with the runtime's own epoll engine:
    /// afterwards the caller reads it from its own epoll loop (<see cref="EpollReceiver"/>) and calls <see cref="Feed"/>.
    /// </summary>
    public static LeanHubClient ConnectBlocking(Uri baseUri, string channelId, string displayName, Action<long> onBench)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true, ReceiveTimeout = 30_000, SendTimeout = 30_000,
        };
        var client = new LeanHubClient(socket, onBench);
        try
        {
            socket.Connect(IPAddress.Parse(baseUri.Host), baseUri.Port);
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            socket.Send(Encoding.ASCII.GetBytes($"GET /hubs/live HTTP/1.1\r\nHost: {baseUri.Authority}\r\nUpgrade: websocket\r\n" +
                $"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"));
            while (true)
            {
                var n = socket.Receive(client._recv, client._recvEnd, client._recv.Length - client._recvEnd, SocketFlags.None);
                if (n == 0) throw new IOException("closed during the WebSocket upgrade");
                client._recvEnd += n;
                if (client.TryUpgraded()) break;
            }
            var hello = "{\"protocol\":\"messagepack\",\"version\":1}\u001e"u8.ToArray();
            client.SendFrame([.. hello, .. JoinInvocation(channelId, displayName)]);
            while (true)
            {
                client.ParseFrames();
                client.Compact();
                if (client._joined.Task.IsCompleted) break;
                var n = socket.Receive(client._recv, client._recvEnd, client._recv.Length - client._recvEnd, SocketFlags.None);
                if (n == 0) throw new IOException("closed before Join completed");
                client._recvEnd += n;
            }
            client._joined.Task.GetAwaiter().GetResult(); // throws when Join was refused
            socket.Blocking = false;
            return client;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public nint Handle => _socket.Handle;

    /// <summary>Bytes read by an outside loop; false once the connection is unusable (closed or bad frames).</summary>
    public bool Feed(ReadOnlySpan<byte> data)
    {
        try
        {
            while (data.Length > 0)
            {
                Compact();
                var room = Math.Min(data.Length, _recv.Length - _recvEnd);
                data[..room].CopyTo(_recv.AsSpan(_recvEnd));
                _recvEnd += room;
                data = data[room..];
                ParseFrames();
            }
            Compact();
            return true;
        }
        catch (IOException)
        {
            Interlocked.Exchange(ref Closed, 1);
            return false;
        }
    }

    public void MarkClosed() => Interlocked.Exchange(ref Closed, 1);

    /// <summary>Ping from a non-blocking socket owned by an outside loop (8 bytes: never blocks in practice).</summary>
    public void Ping()
    {
        try { SendFrame(PingMessage); }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
    }

    private void SendFrame(byte[] payload)
    {
        var frame = Frame(payload);
        lock (_sendGate) _socket.Send(frame);
    }

    private void Compact()
    {
        if (_recvStart == _recvEnd) _recvStart = _recvEnd = 0;
        else if (_recvEnd == _recv.Length)
        {
            var pending = _recvEnd - _recvStart;
            if (_recvStart == 0) Array.Resize(ref _recv, _recv.Length * 2);
            else Buffer.BlockCopy(_recv, _recvStart, _recv, 0, pending);
            (_recvStart, _recvEnd) = (0, pending);
        }
    }

    private bool TryUpgraded()
    {
        var end = _recv.AsSpan(0, _recvEnd).IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            if (_recvEnd == _recv.Length) throw new IOException("upgrade response too long");
            return false;
        }
        var head = Encoding.ASCII.GetString(_recv, 0, end);
        if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            throw new IOException("upgrade refused: " + head.Split('\r')[0]);
        _recvStart = end + 4;
        return true;
    }

    /// <summary>[1, {}, "1", "Join", [channelId, {displayName}], []] with SignalR's VarInt length prefix.</summary>
    internal static byte[] JoinInvocation(string channelId, string displayName)
    {
        var body = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(body);
        w.WriteArrayHeader(6);
        w.Write(1);
        w.WriteMapHeader(0);
        w.Write("1");
        w.Write("Join");
        w.WriteArrayHeader(2);
        w.Write(channelId);
        w.WriteMapHeader(1);
        w.Write("displayName");
        w.Write(displayName);
        w.WriteArrayHeader(0);
        w.Flush();
        var prefixed = new List<byte>();
        for (var len = (uint)body.WrittenCount; ; len >>= 7)
        {
            if (len < 0x80) { prefixed.Add((byte)len); break; }
            prefixed.Add((byte)(len | 0x80));
        }
        prefixed.AddRange(body.WrittenSpan.ToArray());
        return [.. prefixed];
    }

    public Task PingAsync(CancellationToken ct) => SendFrameAsync(PingMessage, ct);

    private async Task ReadUpgradeResponseAsync(CancellationToken ct)
    {
        while (true)
        {
            var n = await _socket.ReceiveAsync(_recv.AsMemory(_recvEnd), SocketFlags.None, ct);
            if (n == 0) throw new IOException("closed during the WebSocket upgrade");
            _recvEnd += n;
            if (TryUpgraded()) return;
        }
    }

    /// <summary>One masked binary frame (clients must mask).</summary>
    private async Task SendFrameAsync(byte[] payload, CancellationToken ct)
    {
        var frame = Frame(payload);
        await _sendGate.WaitAsync(ct);
        try
        {
            await _socket.SendAsync(frame, SocketFlags.None, ct);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    private static byte[] Frame(byte[] payload)
    {
        var frame = new byte[payload.Length + 14];
        var i = 0;
        frame[i++] = 0x82; // FIN + binary
        if (payload.Length < 126) frame[i++] = (byte)(0x80 | payload.Length);
        else { frame[i++] = 0x80 | 126; BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(i), (ushort)payload.Length); i += 2; }
        RandomNumberGenerator.Fill(frame.AsSpan(i, 4));
        var mask = frame.AsSpan(i, 4).ToArray();
        i += 4;
        for (var k = 0; k < payload.Length; k++) frame[i + k] = (byte)(payload[k] ^ mask[k & 3]);
        return frame[..(i + payload.Length)];
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (true)
            {
                ParseFrames();
                Compact();
                var n = await _socket.ReceiveAsync(_recv.AsMemory(_recvEnd), SocketFlags.None, _stop.Token);
                if (n == 0) break;
                _recvEnd += n;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            Interlocked.Exchange(ref Closed, 1);
            _joined.TrySetException(new IOException("connection closed before Join completed"));
        }
    }

    /// <summary>Consumes the complete WebSocket frames in the receive buffer (server frames are not masked).</summary>
    private void ParseFrames()
    {
        while (true)
        {
            var span = _recv.AsSpan(_recvStart, _recvEnd - _recvStart);
            if (span.Length < 2) return;
            var opcode = span[0] & 0x0F;
            long len = span[1] & 0x7F;
            var header = 2;
            if (len == 126)
            {
                if (span.Length < 4) return;
                len = BinaryPrimitives.ReadUInt16BigEndian(span[2..]); header = 4;
            }
            else if (len == 127)
            {
                if (span.Length < 10) return;
                len = (long)BinaryPrimitives.ReadUInt64BigEndian(span[2..]); header = 10;
            }
            if ((span[1] & 0x80) != 0) throw new IOException("masked server frame");
            if (len > 16 << 20) throw new IOException("frame too large");
            if (span.Length < header + len)
            {
                if (header + len > _recv.Length) Array.Resize(ref _recv, (int)(header + len) * 2);
                return;
            }
            var body = span.Slice(header, (int)len);
            if (opcode is 0 or 1 or 2) AppendPayload(body);
            else if (opcode == 8) throw new IOException("server closed the WebSocket");
            _recvStart += header + (int)len;
        }
    }

    private void AppendPayload(ReadOnlySpan<byte> body)
    {
        if (_payloadLength + body.Length > _payload.Length) Array.Resize(ref _payload, Math.Max(_payload.Length * 2, _payloadLength + body.Length));
        body.CopyTo(_payload.AsSpan(_payloadLength));
        _payloadLength += body.Length;
        var consumed = 0;
        if (!_handshakeDone)
        {
            // The handshake answer `{}` + 0x1E comes first, as JSON even on the MessagePack protocol.
            var sep = _payload.AsSpan(0, _payloadLength).IndexOf((byte)0x1E);
            if (sep < 0) return;
            if (_payload.AsSpan(0, sep).IndexOf("error"u8) >= 0) throw new IOException("handshake refused: " + Encoding.UTF8.GetString(_payload, 0, sep));
            consumed = sep + 1;
            _handshakeDone = true;
        }
        while (TryReadLength(_payload.AsSpan(consumed, _payloadLength - consumed), out var size, out var prefix)
               && consumed + prefix + size <= _payloadLength)
        {
            OnMessage(new ReadOnlyMemory<byte>(_payload, consumed + prefix, size));
            consumed += prefix + size;
        }
        Buffer.BlockCopy(_payload, consumed, _payload, 0, _payloadLength - consumed);
        _payloadLength -= consumed;
    }

    private static bool TryReadLength(ReadOnlySpan<byte> s, out int size, out int prefix)
    {
        size = 0;
        for (prefix = 0; prefix < Math.Min(5, s.Length); prefix++)
        {
            size |= (s[prefix] & 0x7F) << (7 * prefix);
            if ((s[prefix] & 0x80) == 0) { prefix++; return true; }
        }
        return false;
    }

    /// <summary>Invocation [1, headers, invocationId, target, args...]: for `message`, finds `text` = "bench SEQ".
    /// Completion [3, headers, id, kind, result?] of the Join sets the joined signal.</summary>
    private void OnMessage(ReadOnlyMemory<byte> message)
    {
        var r = new MessagePackReader(message);
        r.ReadArrayHeader();
        var type = r.ReadInt32();
        if (type == 3)
        {
            r.Skip(); r.Skip();
            var kind = r.ReadInt32();
            if (kind == 1) _joined.TrySetException(new IOException("Join refused: " + r.ReadString()));
            else _joined.TrySetResult();
            return;
        }
        if (type != 1) return;
        r.Skip(); // headers
        r.Skip(); // invocation id (nil)
        if (!r.TryReadStringSpan(out var target) || !target.SequenceEqual(MessageTarget)) return;
        if (r.ReadArrayHeader() < 1) return;
        var fields = r.ReadMapHeader();
        for (var f = 0; f < fields; f++)
        {
            if (r.TryReadStringSpan(out var key) && key.SequenceEqual(TextKey))
            {
                if (r.TryReadStringSpan(out var text) && text.StartsWith(BenchPrefix)
                    && System.Buffers.Text.Utf8Parser.TryParse(text[BenchPrefix.Length..], out long seq, out _))
                {
                    Received++;
                    _onBench(seq);
                }
                return;
            }
            r.Skip();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _socket.Dispose();
        await _loop;
        _stop.Dispose();
    }
}
