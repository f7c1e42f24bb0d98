using System.Buffers;
using System.Buffers.Binary;
using Relay.Ingest.Amf0;
using Relay.Ingest.Media;

namespace Relay.Ingest.Rtmp;

/// <summary>
/// The client side of an RTMP publish, without I/O (the twin of <see cref="RtmpServerProtocol"/>): it writes
/// connect → releaseStream/FCPublish/createStream → publish into <see cref="Output"/> as the server's answers come in,
/// parses <c>_result</c>/<c>_error</c>/<c>onStatus</c>, answers pings, acknowledges the server's bytes per its window
/// and keeps the count of our bytes the server acknowledged (its 32-bit sequence unwrapped). Media is re-chunked by
/// <see cref="WriteMedia"/>. Every command is acted on as it is parsed and then dropped, so a server flooding commands
/// (before or after the publish started) costs one decoded command at a time, within the AMF0 caps.
/// Threads: <see cref="Read"/> and <see cref="Output"/> belong to one reader; <see cref="WriteMedia"/>,
/// <see cref="WriteUnpublish"/> and <see cref="AddSent"/> to whoever holds the connection's write lock. They share only
/// the byte counts, kept with <see cref="Interlocked"/>; the stream id and chunk size are fixed before media flows.
/// </summary>
internal sealed class RtmpClientProtocol(string app, string tcUrl, string publishName, int chunkSize, int windowAcknowledgementSize)
{
    private const int CommandChunkStream = 3;
    private const int AudioChunkStream = 4;
    private const int DataChunkStream = 5;
    private const int VideoChunkStream = 6;
    private const int PublishChunkStream = 8;
    private const double ConnectTransaction = 1;
    private const double CreateStreamTransaction = 4;
    private const double PublishTransaction = 5;

    /// <summary>AMF0 string "@setDataFrame" (marker, 16-bit length, bytes).</summary>
    private static ReadOnlySpan<byte> SetDataFrame => "\u0002\u0000\u000D@setDataFrame"u8;

    private readonly RtmpChunkStreamState _incoming = NewServerStreamState();
    private readonly ArrayBufferWriter<byte> _output = new(512);
    private long _bytesSent;
    private long _peerAckedBytes;
    private long _acknowledgements;
    private long _receiveWindow;
    private long _lastReceivedAck;

    public RtmpClientState State { get; private set; } = RtmpClientState.Idle;

    /// <summary>The step the server refused (<see cref="RtmpClientEvent.Refused"/>).</summary>
    public RtmpClientState RefusedAt { get; private set; }

    /// <summary>The status code of the last refusal or end (the server's text, uncleaned); null when it sent none.</summary>
    public string? StatusCode { get; private set; }

    /// <summary>The status description of the last refusal or end (the server's text, uncleaned).</summary>
    public string? StatusDescription { get; private set; }

    public string? Error { get; private set; }

    /// <summary>The message stream id createStream handed out; media goes on it.</summary>
    public uint StreamId { get; private set; }

    /// <summary>Bytes the connection put on the wire after the handshake (<see cref="AddSent"/>).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Acknowledgements received; a peer that never sent one is not held to acknowledging.</summary>
    public long AcknowledgementsReceived => Interlocked.Read(ref _acknowledgements);

    /// <summary>Sent bytes the server has not acknowledged yet.</summary>
    public long UnacknowledgedBytes => BytesSent - Interlocked.Read(ref _peerAckedBytes);

    /// <summary>Commands and control replies not yet sent; send them and call <see cref="ClearOutput"/>.</summary>
    public ReadOnlyMemory<byte> Output => _output.WrittenMemory;

    public void ClearOutput() => _output.ResetWrittenCount();

    /// <summary>
    /// Chunk-stream state for what a destination server sends this publisher. A server only sends control messages,
    /// command answers and status to a publisher (a few hundred bytes each), so the media defaults (8 MiB x 64 chunk
    /// streams, allocated by declared length) would let a broken or hostile destination make ~1 KiB of chunk headers
    /// reserve hundreds of MiB here. Same caps as the gateway before publish: at most 1 MiB held per connection.
    /// </summary>
    internal static RtmpChunkStreamState NewServerStreamState() => new(maxMessageSize: 64 * 1024, maxChunkStreams: 16);

    /// <summary>Writes Set Chunk Size and <c>connect</c> into <see cref="Output"/>; the rest follows the server's answers.</summary>
    public void StartPublish()
    {
        if (State != RtmpClientState.Idle)
        {
            throw new InvalidOperationException($"cannot start in state {State}");
        }

        RtmpChunkWriter.WriteSetChunkSize(_output, chunkSize);
        WriteCommand(_output, CommandChunkStream, 0, "connect", ConnectTransaction, new Amf0Object
        {
            ["app"] = app,
            ["type"] = "nonprivate",
            ["flashVer"] = "FMLE/3.0 (compatible; Relay)",
            ["tcUrl"] = tcUrl,
        });
        State = RtmpClientState.Connecting;
    }

    /// <summary>Consumes whole chunks from <paramref name="buffer"/> until the publish starts, ends or fails, or more data is needed.</summary>
    public RtmpClientEvent Read(ref ReadOnlySequence<byte> buffer)
    {
        while (State != RtmpClientState.Closed)
        {
            var status = RtmpChunkReader.TryRead(ref buffer, _incoming, out var message);
            if (status == RtmpChunkStatus.NeedMoreData)
            {
                return RtmpClientEvent.NeedMoreData;
            }

            if (status == RtmpChunkStatus.Invalid)
            {
                Error = _incoming.Error;
                State = RtmpClientState.Closed;
                return RtmpClientEvent.Invalid;
            }

            if (message is null)
            {
                continue;
            }

            var next = Handle(message);
            AcknowledgeReceived();
            if (next != RtmpClientEvent.NeedMoreData)
            {
                return next;
            }
        }

        return RtmpClientEvent.NeedMoreData;
    }

    private RtmpClientEvent Handle(RtmpMessage message)
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
                var sent = BytesSent;
                var unwrapped = (sent & ~0xFFFFFFFFL) | acked;
                if (unwrapped > sent)
                {
                    unwrapped -= 1L << 32;
                }

                Interlocked.Exchange(ref _peerAckedBytes, unwrapped);
                Interlocked.Increment(ref _acknowledgements);
                break;
            case RtmpMessageType.UserControl when payload.Length >= 6 && BinaryPrimitives.ReadUInt16BigEndian(payload) == 6:
                // Ping request: answer with a ping response carrying the same timestamp, or the server drops us.
                Span<byte> pong = stackalloc byte[6];
                BinaryPrimitives.WriteUInt16BigEndian(pong, 7);
                BinaryPrimitives.WriteUInt32BigEndian(pong[2..], BinaryPrimitives.ReadUInt32BigEndian(payload[2..]));
                RtmpChunkWriter.Write(_output, new(RtmpProtocol.ControlChunkStreamId, 0, 6, RtmpMessageType.UserControl, 0), pong, RtmpProtocol.DefaultChunkSize);
                break;
            case RtmpMessageType.CommandAmf0 or RtmpMessageType.CommandAmf3:
                // Malformed commands and those over the AMF0 caps (Amf0Reader) are dropped: the server gets nothing
                // from them either way.
                return RtmpCommand.TryParse(message, out var command, out _) ? OnCommand(command!) : RtmpClientEvent.NeedMoreData;
        }

        return RtmpClientEvent.NeedMoreData;
    }

    private RtmpClientEvent OnCommand(RtmpCommand command)
    {
        var answer = command.Name is "_result" or "_error";
        switch (State)
        {
            case RtmpClientState.Connecting when answer && command.TransactionId == ConnectTransaction:
                if (command.Name == "_error")
                {
                    return Refuse(command);
                }

                WriteWindowAckSize(_output, windowAcknowledgementSize);
                WriteCommand(_output, CommandChunkStream, 0, "releaseStream", 2, null, publishName);
                WriteCommand(_output, CommandChunkStream, 0, "FCPublish", 3, null, publishName);
                WriteCommand(_output, CommandChunkStream, 0, "createStream", CreateStreamTransaction, null);
                State = RtmpClientState.CreatingStream;
                break;
            case RtmpClientState.CreatingStream when answer && command.TransactionId == CreateStreamTransaction:
                if (command.Name == "_error" || command.Arguments.Count == 0 || command.Arguments[0] is not double streamId)
                {
                    return Refuse(command);
                }

                StreamId = (uint)streamId;
                WriteCommand(_output, PublishChunkStream, StreamId, "publish", PublishTransaction, null, publishName, "live");
                State = RtmpClientState.PublishPending;
                break;
            case RtmpClientState.PublishPending when command.Name == "onStatus":
                var code = Status(command).Code;
                if (code == "NetStream.Publish.Start")
                {
                    State = RtmpClientState.Publishing;
                    return RtmpClientEvent.Publishing;
                }

                if (IsError(command) || code is not null && code.StartsWith("NetStream.Publish.", StringComparison.Ordinal))
                {
                    return Refuse(command);
                }

                break;
            case RtmpClientState.PublishPending when command.Name == "_error" && command.TransactionId == PublishTransaction:
                return Refuse(command);
            case RtmpClientState.Publishing when command.Name == "onStatus" && EndsPublish(command):
                // The platform ended our publish but may keep the socket open: the caller stops forwarding into the void.
                (StatusCode, StatusDescription) = Status(command);
                State = RtmpClientState.Closed;
                return RtmpClientEvent.PublishEnded;
        }

        // Anything else (onBWDone, _checkbw, a flood of commands no server sends) is of no use to a publisher.
        return RtmpClientEvent.NeedMoreData;
    }

    private RtmpClientEvent Refuse(RtmpCommand command)
    {
        (StatusCode, StatusDescription) = Status(command);
        RefusedAt = State;
        State = RtmpClientState.Closed;
        return RtmpClientEvent.Refused;
    }

    /// <summary>Acknowledgements count what was consumed (a partial chunk is seen again on the next read).</summary>
    private void AcknowledgeReceived()
    {
        var received = _incoming.BytesConsumed;
        if (_receiveWindow > 0 && received - _lastReceivedAck >= _receiveWindow)
        {
            _lastReceivedAck = received;
            Span<byte> ack = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(ack, (uint)received);
            RtmpChunkWriter.Write(_output, new(RtmpProtocol.ControlChunkStreamId, 0, 4, RtmpMessageType.Acknowledgement, 0), ack, RtmpProtocol.DefaultChunkSize);
        }
    }

    /// <summary>Counts bytes that reached the socket (commands, replies, media): what the server's acknowledgements count.</summary>
    public void AddSent(long bytes) => Interlocked.Add(ref _bytesSent, bytes);

    /// <summary>One FLV tag as the RTMP message a publisher sends (metadata as <c>@setDataFrame</c>), re-chunked.</summary>
    public void WriteMedia(IBufferWriter<byte> output, FlvTag frame)
    {
        var body = frame.Body.Span;
        switch (frame.Type)
        {
            case FlvTagType.Script when body.StartsWith(SetDataFrame):
                RtmpChunkWriter.Write(output, new(DataChunkStream, frame.Timestamp, body.Length, RtmpMessageType.DataAmf0, StreamId), body, chunkSize);
                break;
            case FlvTagType.Script:
                // FLV carries onMetaData; a publisher sends it as @setDataFrame so the server keeps it for players.
                var length = SetDataFrame.Length + body.Length;
                var payload = ArrayPool<byte>.Shared.Rent(length);
                SetDataFrame.CopyTo(payload);
                body.CopyTo(payload.AsSpan(SetDataFrame.Length));
                RtmpChunkWriter.Write(output, new(DataChunkStream, frame.Timestamp, length, RtmpMessageType.DataAmf0, StreamId), payload.AsSpan(0, length), chunkSize);
                ArrayPool<byte>.Shared.Return(payload);
                break;
            case FlvTagType.Audio:
                RtmpChunkWriter.Write(output, new(AudioChunkStream, frame.Timestamp, body.Length, RtmpMessageType.Audio, StreamId), body, chunkSize);
                break;
            default:
                RtmpChunkWriter.Write(output, new(VideoChunkStream, frame.Timestamp, body.Length, RtmpMessageType.Video, StreamId), body, chunkSize);
                break;
        }
    }

    /// <summary>FCUnpublish and deleteStream: the polite end of a publish.</summary>
    public void WriteUnpublish(IBufferWriter<byte> output)
    {
        WriteCommand(output, CommandChunkStream, 0, "FCUnpublish", 6, null, publishName);
        WriteCommand(output, CommandChunkStream, 0, "deleteStream", 7, null, (double)StreamId);
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

    private static void WriteWindowAckSize(IBufferWriter<byte> output, int size)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, size);
        RtmpChunkWriter.Write(output, new(RtmpProtocol.ControlChunkStreamId, 0, 4, RtmpMessageType.WindowAcknowledgementSize, 0), payload, RtmpProtocol.DefaultChunkSize);
    }

    private void WriteCommand(IBufferWriter<byte> output, int chunkStreamId, uint messageStreamId, string name, double transactionId, object? commandObject, params object?[] arguments)
    {
        var body = new ArrayBufferWriter<byte>(256);
        Amf0Writer.WriteString(body, name);
        Amf0Writer.WriteNumber(body, transactionId);
        Amf0Writer.WriteValue(body, commandObject);
        foreach (var argument in arguments)
        {
            Amf0Writer.WriteValue(body, argument);
        }

        RtmpChunkWriter.Write(output, new(chunkStreamId, 0, body.WrittenCount, RtmpMessageType.CommandAmf0, messageStreamId), body.WrittenSpan, chunkSize);
    }
}
