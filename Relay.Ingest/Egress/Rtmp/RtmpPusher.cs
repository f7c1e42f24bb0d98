using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Relay.Ingest.Amf0;
using Relay.Ingest.Egress.Source;
using Relay.Ingest.Media;
using Relay.Ingest.Rtmp;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Egress.Rtmp;

/// <summary>
/// Native RTMP/RTMPS publisher for pass-through destinations: forwards the feed's FLV tag bodies as RTMP messages
/// without touching the media, so one destination costs a socket and a queue instead of an ffmpeg process.
/// </summary>
public sealed class RtmpPusher(RtmpPushTarget target, RtmpPushSettings settings, TimeProvider time, ILogger logger) : IEgressPusher
{
    private const int CommandChunkStream = 3;
    private const int AudioChunkStream = 4;
    private const int DataChunkStream = 5;
    private const int VideoChunkStream = 6;
    private const int PublishChunkStream = 8;
    private static readonly byte[] SetDataFrame = EncodeString("@setDataFrame");

    public async Task<EgressOutcome> RunAsync(IEgressFeed feed, IEgressPushObserver observer, CancellationToken cancellationToken)
    {
        using var setupCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        setupCts.CancelAfter(settings.SetupTimeout);
        Stream? stream = null;
        RtmpClientConnection? connection = null;
        try
        {
            var (opened, plainSocket, failure) = await OpenAsync(setupCts.Token, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                return failure;
            }

            stream = opened!;
            connection = new RtmpClientConnection(stream, plainSocket, settings, time, target.PublishName);
            connection.StartReading(cancellationToken);
            var setup = await connection.PublishAsync(target, setupCts.Token).ConfigureAwait(false);
            if (setup is not null)
            {
                return cancellationToken.IsCancellationRequested ? EgressOutcome.Canceled : setup;
            }

            logger.LogDebug("Publishing to {Target}", target);
            observer.OnLive();
            var outcome = await connection.ForwardAsync(feed, observer, cancellationToken).ConfigureAwait(false);
            if (outcome.Stage is EgressStage.SourceEnded or EgressStage.Canceled)
            {
                await connection.UnpublishAsync(target.PublishName).ConfigureAwait(false);
            }

            return outcome;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return EgressOutcome.Canceled;
        }
        catch (OperationCanceledException)
        {
            return connection?.PeerFailure ?? new EgressOutcome(EgressStage.Connect, $"no answer within {settings.SetupTimeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            return connection?.PeerFailure ?? new EgressOutcome(EgressStage.ClosedByPeer, "connection closed: " + ex.Message);
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<(Stream? Stream, Socket? PlainSocket, EgressOutcome? Failure)> OpenAsync(CancellationToken setupToken, CancellationToken stopToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (settings.SendBufferSize is { } sendBuffer)
        {
            socket.SendBufferSize = sendBuffer;
        }

        try
        {
            // A guarded destination connects to an address the policy vetted; SNI and tcUrl keep the name.
            await (settings.AddressGuard is { } guard
                ? guard.ConnectAsync(socket, target.Host, target.Port, setupToken)
                : socket.ConnectAsync(target.Host, target.Port, setupToken).AsTask()).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            return (null, null, ex.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => new EgressOutcome(EgressStage.Connect, "connection refused"),
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => new EgressOutcome(EgressStage.Resolve, $"host not found: {target.Host}"),
                SocketError.TimedOut => new EgressOutcome(EgressStage.Connect, "connection timed out"),
                _ => new EgressOutcome(EgressStage.Connect, "connect failed: " + ex.SocketErrorCode),
            });
        }
        catch (OperationCanceledException) when (!stopToken.IsCancellationRequested)
        {
            socket.Dispose();
            return (null, null, new EgressOutcome(EgressStage.Connect, "connection timed out"));
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (target.UseTls)
        {
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
            try
            {
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = target.Host, // SNI: the platforms' edges route on it
                    RemoteCertificateValidationCallback = settings.ExtraTrustedRoots is { Count: > 0 } roots ? (_, cert, chain, errors) => Validate(cert, errors, roots) : null,
                }, setupToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException)
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
                return (null, null, new EgressOutcome(EgressStage.Tls, "TLS handshake failed: " + (ex.InnerException?.Message ?? ex.Message)));
            }

            stream = ssl;
        }

        try
        {
            await HandshakeAsync(stream, setupToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or InvalidDataException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            return (null, null, new EgressOutcome(EgressStage.Handshake, "RTMP handshake failed: " + ex.Message));
        }

        if (target.UseTls)
        {
            return (stream, null, null);
        }

        // Media goes out with non-blocking sends from the publisher's thread (RtmpClientConnection.TryWrite); the
        // async reads and writes on the stream are unaffected by this flag.
        socket.Blocking = false;
        return (stream, socket, null);
    }

    private static bool Validate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null)
        {
            return false; // a name mismatch or a missing certificate is never excused
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
    }

    /// <summary>The plain (non-digest) handshake: every server accepts it for publishing.</summary>
    private static async Task HandshakeAsync(Stream stream, CancellationToken cancellationToken)
    {
        var c0c1 = new byte[RtmpHandshake.C0C1Size];
        c0c1[0] = RtmpHandshake.Version;
        Random.Shared.NextBytes(c0c1.AsSpan(9));
        await stream.WriteAsync(c0c1, cancellationToken).ConfigureAwait(false);
        // S0+S1, then C2, then S2: ffmpeg's listener sends S2 only after it has read C2.
        var s0s1 = new byte[1 + RtmpHandshake.PacketSize];
        await stream.ReadExactlyAsync(s0s1, cancellationToken).ConfigureAwait(false);
        if (s0s1[0] != RtmpHandshake.Version)
        {
            throw new InvalidDataException($"server answered version {s0s1[0]}, not an RTMP server");
        }

        // C2 echoes S1.
        await stream.WriteAsync(s0s1.AsMemory(1), cancellationToken).ConfigureAwait(false);
        await stream.ReadExactlyAsync(new byte[RtmpHandshake.PacketSize], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Chunk-stream state for what a destination server sends this publisher. A server only sends control messages,
    /// command answers and status to a publisher (a few hundred bytes each), so the media defaults (8 MiB x 64 chunk
    /// streams, allocated by declared length) would let a broken or hostile destination make ~1 KiB of chunk headers
    /// reserve hundreds of MiB here. Same caps as the gateway before publish: at most 1 MiB held per connection.
    /// </summary>
    internal static RtmpChunkStreamState NewServerStreamState() => new(maxMessageSize: 64 * 1024, maxChunkStreams: 16);

    internal static byte[] EncodeString(string value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Amf0Writer.WriteString(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// One connected session: a read loop for the server's control messages and a serialized writer. Media reaches the
    /// socket two ways, never at the same time (whoever holds <c>_writeLock</c> owns the socket): inline from the
    /// publisher's thread while nothing is queued (<see cref="TryWrite"/>, plain TCP only: a TLS stream cannot be written
    /// without possibly blocking), or from <see cref="ForwardAsync"/>'s loop, which drains the queue when the inline path
    /// could not take a tag (socket full, TLS, a command being sent).
    /// </summary>
    private sealed class RtmpClientConnection(Stream stream, Socket? plainSocket, RtmpPushSettings settings, TimeProvider time, string publishName) : IAsyncDisposable, IInlineTagWriter
    {
        private const int SetupCommandQueue = 32;
        private readonly SemaphoreSlim _writeLock = new(1, 1);
        private IEgressPushObserver? _observer;
        private int _inlineFailed;
        // Commands for the setup only (connect, createStream, publish answers): once the publish started nothing reads
        // it and the read loop stops writing to it (a server may send commands for as long as the push lasts). Bounded
        // so that a server flooding commands before the publish starts drops its own oldest, not our memory.
        private readonly Channel<RtmpCommand> _commands = Channel.CreateBounded<RtmpCommand>(new BoundedChannelOptions(SetupCommandQueue)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.DropOldest,
        });
        private readonly CancellationTokenSource _peerGone = new();
        // One buffer for media from either path: both write only while holding _writeLock, and a partial inline send
        // copies its remainder out before the lock can pass on.
        private readonly ArrayBufferWriter<byte> _out = new(64 * 1024);
        private Task? _readLoop;
        private uint _streamId;
        private long _bytesSent;
        private long _peerAckedBytes;
        private long _lastAckTimestamp;
        private bool _peerAcks;
        private bool _publishing; // the read loop's own: set at NetStream.Publish.Start
        private long _receiveWindow;
        private long _received;
        private long _lastReceivedAck;

        public EgressOutcome? PeerFailure { get; private set; }

        public void StartReading(CancellationToken cancellationToken) => _readLoop = Task.Run(() => ReadLoopAsync(cancellationToken), CancellationToken.None);

        public async Task<EgressOutcome?> PublishAsync(RtmpPushTarget target, CancellationToken cancellationToken)
        {
            await SendAsync(buffer =>
            {
                RtmpChunkWriter.WriteSetChunkSize(buffer, settings.ChunkSize);
            }, cancellationToken).ConfigureAwait(false);
            var chunkSize = settings.ChunkSize;
            await SendAsync(buffer =>
            {
                WriteCommand(buffer, chunkSize, CommandChunkStream, 0, "connect", 1, new Amf0Object
                {
                    ["app"] = target.App,
                    ["type"] = "nonprivate",
                    ["flashVer"] = "FMLE/3.0 (compatible; Relay)",
                    ["tcUrl"] = target.TcUrl,
                });
            }, cancellationToken).ConfigureAwait(false);

            var connect = await ExpectResultAsync(1, cancellationToken).ConfigureAwait(false);
            if (connect is null)
            {
                return PeerFailure ?? new EgressOutcome(EgressStage.ConnectCommand, "connection closed during connect");
            }

            if (connect.Name == "_error")
            {
                var (code, description) = Status(connect);
                return new EgressOutcome(EgressStage.Publish, $"authentication failed: {Code(code) ?? "NetConnection.Connect.Rejected"}{Describe(description)}");
            }

            var name = target.PublishName;
            await SendAsync(buffer =>
            {
                WriteWindowAckSize(buffer, settings.WindowAcknowledgementSize);
                WriteCommand(buffer, chunkSize, CommandChunkStream, 0, "releaseStream", 2, null, name);
                WriteCommand(buffer, chunkSize, CommandChunkStream, 0, "FCPublish", 3, null, name);
                WriteCommand(buffer, chunkSize, CommandChunkStream, 0, "createStream", 4, null);
            }, cancellationToken).ConfigureAwait(false);

            var created = await ExpectResultAsync(4, cancellationToken).ConfigureAwait(false);
            if (created is null || created.Name == "_error" || created.Arguments.Count == 0 || created.Arguments[0] is not double streamId)
            {
                return PeerFailure ?? new EgressOutcome(EgressStage.CreateStream, "createStream was refused");
            }

            _streamId = (uint)streamId;
            await SendAsync(buffer =>
            {
                WriteCommand(buffer, chunkSize, PublishChunkStream, _streamId, "publish", 5, null, name, "live");
            }, cancellationToken).ConfigureAwait(false);

            while (await _commands.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (_commands.Reader.TryRead(out var command))
                {
                    if (command.Name == "onStatus")
                    {
                        var (code, description) = Status(command);
                        if (code == "NetStream.Publish.Start")
                        {
                            // The read loop stopped queueing at this status (see HandleAsync); what came before it is
                            // of no use any more.
                            while (_commands.Reader.TryRead(out _))
                            {
                            }

                            return null;
                        }

                        if (IsError(command) || code is not null && code.StartsWith("NetStream.Publish.", StringComparison.Ordinal))
                        {
                            return new EgressOutcome(EgressStage.Publish, $"authentication failed: {Code(code)}{Describe(description)}");
                        }
                    }
                    else if (command.Name == "_error" && command.TransactionId == 5)
                    {
                        var (code, description) = Status(command);
                        return new EgressOutcome(EgressStage.Publish, $"authentication failed: {Code(code) ?? "publish refused"}{Describe(description)}");
                    }
                }
            }

            return PeerFailure ?? new EgressOutcome(EgressStage.Publish, "connection closed before the publish was accepted");
        }

        public async Task<EgressOutcome> ForwardAsync(IEgressFeed feed, IEgressPushObserver observer, CancellationToken cancellationToken)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _peerGone.Token);
            using var stall = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
            using var writeToken = CancellationTokenSource.CreateLinkedTokenSource(linked.Token, stall.Token);
            var reader = feed.Frames;
            var sent = new List<(FlvTag Frame, int Bytes)>();
            _lastAckTimestamp = time.GetTimestamp();
            _observer = observer;
            var inline = plainSocket is not null && feed.SetInlineWriter(this);
            try
            {
                while (await reader.WaitToReadAsync(linked.Token).ConfigureAwait(false))
                {
                    await _writeLock.WaitAsync(linked.Token).ConfigureAwait(false);
                    try
                    {
                        _out.ResetWrittenCount();
                        sent.Clear();
                        while (_out.WrittenCount < settings.MaxBatchBytes && reader.TryRead(out var frame))
                        {
                            var before = _out.WrittenCount;
                            WriteFrame(_out, frame);
                            sent.Add((frame, _out.WrittenCount - before));
                        }

                        if (_out.WrittenCount == 0)
                        {
                            continue; // the inline path took them meanwhile
                        }

                        stall.CancelAfter(settings.StallTimeout);
                        await stream.WriteAsync(_out.WrittenMemory, writeToken.Token).ConfigureAwait(false);
                        await stream.FlushAsync(writeToken.Token).ConfigureAwait(false);
                        if (!stall.TryReset())
                        {
                            return Stalled("no bytes accepted");
                        }

                        _bytesSent += _out.WrittenCount;
                    }
                    finally
                    {
                        _writeLock.Release();
                    }

                    foreach (var (frame, bytes) in sent)
                    {
                        observer.OnSent(frame, bytes);
                    }

                    if (AckOverdue())
                    {
                        return Stalled("no acknowledgement");
                    }
                }

                return EgressOutcome.Ended;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return EgressOutcome.Canceled;
            }
            catch (OperationCanceledException) when (stall.IsCancellationRequested)
            {
                return Stalled("no bytes accepted");
            }
            catch (OperationCanceledException)
            {
                return PeerFailure ?? new EgressOutcome(EgressStage.ClosedByPeer, "connection closed by server");
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                return PeerFailure ?? new EgressOutcome(EgressStage.Send, "send failed: " + (ex.InnerException?.Message ?? ex.Message));
            }
            finally
            {
                if (inline)
                {
                    feed.SetInlineWriter(null);
                }
            }
        }

        /// <inheritdoc />
        public bool TryWrite(FlvTag tag)
        {
            if (plainSocket is null || Volatile.Read(ref _inlineFailed) != 0 || !_writeLock.Wait(0))
            {
                return false;
            }

            var handedOff = false;
            try
            {
                _out.ResetWrittenCount();
                WriteFrame(_out, tag);
                var bytes = _out.WrittenSpan;
                var accepted = plainSocket.Send(bytes, SocketFlags.None, out var error);
                if (error is not (SocketError.Success or SocketError.WouldBlock))
                {
                    FailInline(new EgressOutcome(EgressStage.Send, "send failed: " + error));
                    return true;
                }

                if (accepted <= 0)
                {
                    return false; // socket full: queue it; the loop waits for room
                }

                _bytesSent += bytes.Length;
                if (accepted < bytes.Length)
                {
                    // Part of the tag is on the wire: the rest must follow before anything else, so it keeps the lock.
                    handedOff = true;
                    _ = FlushRemainderAsync(bytes[accepted..].ToArray());
                }

                _observer?.OnSent(tag, bytes.Length);
                if (AckOverdue())
                {
                    FailInline(Stalled("no acknowledgement"));
                }

                return true;
            }
            catch (Exception ex)
            {
                // Never let a destination's failure reach the publisher's thread.
                FailInline(new EgressOutcome(EgressStage.Send, "send failed: " + ex.Message));
                return true;
            }
            finally
            {
                if (!handedOff)
                {
                    _writeLock.Release();
                }
            }
        }

        private async Task FlushRemainderAsync(byte[] remainder)
        {
            try
            {
                using var stall = new CancellationTokenSource(settings.StallTimeout, time);
                await stream.WriteAsync(remainder, stall.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                FailInline(Stalled("no bytes accepted"));
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                FailInline(new EgressOutcome(EgressStage.Send, "send failed: " + (ex.InnerException?.Message ?? ex.Message)));
            }
            finally
            {
                _writeLock.Release();
            }
        }

        /// <summary>Ends the push from the publisher's side: the forward loop wakes on the cancellation and reports it.</summary>
        private void FailInline(EgressOutcome outcome)
        {
            if (Interlocked.Exchange(ref _inlineFailed, 1) != 0)
            {
                return;
            }

            PeerFailure ??= outcome;
            // Not on the publisher's thread: cancellation callbacks run the forward loop's continuations.
            ThreadPool.UnsafeQueueUserWorkItem(static connection =>
            {
                try
                {
                    connection._peerGone.Cancel();
                }
                catch (ObjectDisposedException)
                {
                }
            }, this, preferLocal: false);
        }

        private EgressOutcome Stalled(string what) =>
            new(EgressStage.Stalled, $"stalled: {what} for {settings.StallTimeout.TotalSeconds:0.#} s");

        /// <summary>
        /// Only peers that have acknowledged before are held to it: some servers never send acknowledgements, and a
        /// missing one must not then read as a stall. Three windows unacknowledged for the stall time is a dead reader.
        /// </summary>
        private bool AckOverdue()
        {
            if (!Volatile.Read(ref _peerAcks))
            {
                return false;
            }

            var unacknowledged = _bytesSent - Interlocked.Read(ref _peerAckedBytes);
            return unacknowledged > 3L * settings.WindowAcknowledgementSize &&
                time.GetElapsedTime(Interlocked.Read(ref _lastAckTimestamp)) > settings.StallTimeout;
        }

        public async Task UnpublishAsync(string name)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1), time);
            try
            {
                var chunkSize = settings.ChunkSize;
                await SendAsync(buffer =>
                {
                    WriteCommand(buffer, chunkSize, CommandChunkStream, 0, "FCUnpublish", 6, null, name);
                    WriteCommand(buffer, chunkSize, CommandChunkStream, 0, "deleteStream", 7, null, (double)_streamId);
                }, cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                // Best effort: the server notices the closed socket anyway.
            }
        }

        private void WriteFrame(ArrayBufferWriter<byte> buffer, FlvTag frame)
        {
            var body = frame.Body.Span;
            switch (frame.Type)
            {
                case FlvTagType.Script:
                    // FLV carries onMetaData; a publisher sends it as @setDataFrame so the server keeps it for players.
                    if (body.Length >= SetDataFrame.Length && body[..SetDataFrame.Length].SequenceEqual(SetDataFrame))
                    {
                        RtmpChunkWriter.Write(buffer, new(DataChunkStream, frame.Timestamp, body.Length, RtmpMessageType.DataAmf0, _streamId), body, settings.ChunkSize);
                    }
                    else
                    {
                        var payload = ArrayPool<byte>.Shared.Rent(SetDataFrame.Length + body.Length);
                        SetDataFrame.CopyTo(payload, 0);
                        body.CopyTo(payload.AsSpan(SetDataFrame.Length));
                        var length = SetDataFrame.Length + body.Length;
                        RtmpChunkWriter.Write(buffer, new(DataChunkStream, frame.Timestamp, length, RtmpMessageType.DataAmf0, _streamId), payload.AsSpan(0, length), settings.ChunkSize);
                        ArrayPool<byte>.Shared.Return(payload);
                    }

                    break;
                case FlvTagType.Audio:
                    RtmpChunkWriter.Write(buffer, new(AudioChunkStream, frame.Timestamp, body.Length, RtmpMessageType.Audio, _streamId), body, settings.ChunkSize);
                    break;
                default:
                    RtmpChunkWriter.Write(buffer, new(VideoChunkStream, frame.Timestamp, body.Length, RtmpMessageType.Video, _streamId), body, settings.ChunkSize);
                    break;
            }
        }

        private async Task SendAsync(Action<ArrayBufferWriter<byte>> write, CancellationToken cancellationToken)
        {
            var buffer = new ArrayBufferWriter<byte>(512);
            write(buffer);
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                _bytesSent += buffer.WrittenCount;
            }
            finally
            {
                _writeLock.Release();
            }
        }

        private async Task<RtmpCommand?> ExpectResultAsync(double transactionId, CancellationToken cancellationToken)
        {
            while (await _commands.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (_commands.Reader.TryRead(out var command))
                {
                    if (command.Name is "_result" or "_error" && command.TransactionId == transactionId)
                    {
                        return command;
                    }
                }
            }

            return null;
        }

        private async Task ReadLoopAsync(CancellationToken cancellationToken)
        {
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
            var state = NewServerStreamState();
            try
            {
                while (true)
                {
                    var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    var buffer = result.Buffer;
                    try
                    {
                        while (true)
                        {
                            var status = RtmpChunkReader.TryRead(ref buffer, state, out var message);
                            if (status == RtmpChunkStatus.NeedMoreData)
                            {
                                break;
                            }

                            if (status == RtmpChunkStatus.Invalid)
                            {
                                PeerFailure = new EgressOutcome(EgressStage.ClosedByPeer, "server sent invalid RTMP: " + state.Error);
                                return;
                            }

                            // Acknowledgements count what was consumed (a partial chunk is seen again on the next read).
                            _received = state.BytesConsumed;
                            if (message is not null)
                            {
                                await HandleAsync(message, cancellationToken).ConfigureAwait(false);
                            }
                        }
                    }
                    finally
                    {
                        reader.AdvanceTo(buffer.Start, buffer.End);
                    }

                    if (result.IsCompleted)
                    {
                        PeerFailure ??= new EgressOutcome(EgressStage.ClosedByPeer, "connection closed by server");
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                PeerFailure ??= new EgressOutcome(EgressStage.ClosedByPeer, "connection closed by server: " + (ex.InnerException?.Message ?? ex.Message));
            }
            finally
            {
                _commands.Writer.TryComplete();
                await reader.CompleteAsync().ConfigureAwait(false);
                try
                {
                    await _peerGone.CancelAsync().ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }

        private async Task HandleAsync(RtmpMessage message, CancellationToken cancellationToken)
        {
            var payload = message.Payload.Span;
            switch (message.Header.TypeId)
            {
                case RtmpMessageType.WindowAcknowledgementSize when payload.Length >= 4:
                    _receiveWindow = BinaryPrimitives.ReadUInt32BigEndian(payload);
                    break;
                case RtmpMessageType.Acknowledgement when payload.Length >= 4:
                    // The sequence number is the peer's byte count modulo 2^32; keep ours comparable by unwrapping it.
                    var acked = BinaryPrimitives.ReadUInt32BigEndian(payload);
                    var sent = Interlocked.Read(ref _bytesSent);
                    var unwrapped = (sent & ~0xFFFFFFFFL) | acked;
                    if (unwrapped > sent)
                    {
                        unwrapped -= 1L << 32;
                    }

                    Interlocked.Exchange(ref _peerAckedBytes, unwrapped);
                    Interlocked.Exchange(ref _lastAckTimestamp, time.GetTimestamp());
                    Volatile.Write(ref _peerAcks, true);
                    break;
                case RtmpMessageType.UserControl when payload.Length >= 6 && BinaryPrimitives.ReadUInt16BigEndian(payload) == 6:
                    // Ping request: answer with a ping response carrying the same timestamp, or the server drops us.
                    var pingTime = BinaryPrimitives.ReadUInt32BigEndian(payload[2..]);
                    await SendAsync(buffer =>
                    {
                        Span<byte> pong = stackalloc byte[6];
                        BinaryPrimitives.WriteUInt16BigEndian(pong, 7);
                        BinaryPrimitives.WriteUInt32BigEndian(pong[2..], pingTime);
                        RtmpChunkWriter.Write(buffer, new(RtmpProtocol.ControlChunkStreamId, 0, 6, RtmpMessageType.UserControl, 0), pong, RtmpProtocol.DefaultChunkSize);
                    }, cancellationToken).ConfigureAwait(false);
                    break;
                case RtmpMessageType.CommandAmf0 or RtmpMessageType.CommandAmf3:
                    // Malformed commands and those over the AMF0 caps (Amf0Reader) are dropped: the server gets nothing
                    // from them either way.
                    if (!RtmpCommand.TryParse(message, out var command, out _))
                    {
                        break;
                    }

                    if (_publishing)
                    {
                        // Nothing reads the queue once the publish started, so nothing is queued: a status that ends the
                        // publish is handled here, everything else is dropped as it arrives.
                        if (command!.Name == "onStatus" && EndsPublish(command))
                        {
                            // The platform ended our publish (revoked key, broadcast ended) but may keep the socket
                            // open: stop forwarding into the void and let the supervisor retry.
                            var (code, description) = Status(command);
                            PeerFailure ??= new EgressOutcome(EgressStage.ClosedByPeer, $"server ended the publish: {Code(code) ?? "no code"}{Describe(description)}");
                            await _peerGone.CancelAsync().ConfigureAwait(false);
                        }

                        break;
                    }

                    if (command!.Name == "onStatus" && Status(command).Code == "NetStream.Publish.Start")
                    {
                        _publishing = true;
                    }

                    _commands.Writer.TryWrite(command);
                    break;
            }

            if (_receiveWindow > 0 && _received - _lastReceivedAck >= _receiveWindow)
            {
                _lastReceivedAck = _received;
                var sequence = (uint)_received;
                await SendAsync(buffer =>
                {
                    Span<byte> ack = stackalloc byte[4];
                    BinaryPrimitives.WriteUInt32BigEndian(ack, sequence);
                    RtmpChunkWriter.Write(buffer, new(RtmpProtocol.ControlChunkStreamId, 0, 4, RtmpMessageType.Acknowledgement, 0), ack, RtmpProtocol.DefaultChunkSize);
                }, cancellationToken).ConfigureAwait(false);
            }
        }

        private static bool IsError(RtmpCommand command) =>
            command.Arguments.Count > 0 && command.Arguments[0] is IDictionary<string, object?> info &&
            info.TryGetValue("level", out var level) && level is "error";

        /// <summary>An error status, or one of the codes servers use to end a publish with level "status".</summary>
        private static bool EndsPublish(RtmpCommand command) =>
            IsError(command) || Status(command).Code is "NetStream.Publish.BadName" or "NetStream.Publish.Rejected" or
                "NetStream.Publish.Denied" or "NetStream.Publish.Failed" or "NetStream.Unpublish.Success" or "NetConnection.Connect.Closed";

        private static (string? Code, string? Description) Status(RtmpCommand command)
        {
            foreach (var candidate in command.Arguments.Prepend(command.CommandObject))
            {
                if (candidate is IDictionary<string, object?> info && info.TryGetValue("code", out var code))
                {
                    return (code as string, info.TryGetValue("description", out var d) ? d as string : null);
                }
            }

            return (null, null);
        }

        /// <summary>
        /// A server's description, made safe for lastError and logs (<see cref="ServerText"/>): servers sometimes echo
        /// the stream path, and the text is theirs to choose.
        /// </summary>
        private string Describe(string? description) =>
            ServerText.Clean(description, publishName) is { Length: > 0 } text ? $" ({text})" : "";

        private string? Code(string? code) => code is null ? null : ServerText.Clean(code, publishName, maxLength: 80);

        private static void WriteWindowAckSize(ArrayBufferWriter<byte> buffer, int size)
        {
            Span<byte> payload = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(payload, size);
            RtmpChunkWriter.Write(buffer, new(RtmpProtocol.ControlChunkStreamId, 0, 4, RtmpMessageType.WindowAcknowledgementSize, 0), payload, RtmpProtocol.DefaultChunkSize);
        }

        private static void WriteCommand(ArrayBufferWriter<byte> buffer, int chunkSize, int chunkStreamId, uint messageStreamId, string name, double transactionId, object? commandObject, params object?[] arguments)
        {
            var body = new ArrayBufferWriter<byte>(256);
            Amf0Writer.WriteString(body, name);
            Amf0Writer.WriteNumber(body, transactionId);
            Amf0Writer.WriteValue(body, commandObject);
            foreach (var argument in arguments)
            {
                Amf0Writer.WriteValue(body, argument);
            }

            RtmpChunkWriter.Write(buffer, new(chunkStreamId, 0, body.WrittenCount, RtmpMessageType.CommandAmf0, messageStreamId), body.WrittenSpan, chunkSize);
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await _peerGone.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
            }

            // Closing the stream ends the read loop; wait for it so nothing touches the stream afterwards.
            await stream.DisposeAsync().ConfigureAwait(false);
            if (_readLoop is not null)
            {
                await _readLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            _peerGone.Dispose();
            _writeLock.Dispose();
        }
    }
}
