using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Relay.Ingest.Amf0;
using Relay.Ingest.Media;

namespace Relay.Ingest.Rtmp;

/// <summary>
/// The server side of an RTMP publish, without I/O: fed the client's bytes, it reassembles chunks, answers the
/// commands an encoder sends (connect, releaseStream, FCPublish, createStream, publish), acknowledgements and pings,
/// and turns media messages into <see cref="FlvTag"/>s. What needs a decision (the app, the stream key) is handed
/// to the caller as an event; nothing is read past it until the caller answers. Replies accumulate in
/// <see cref="Output"/> for the caller to send. Pure so the native ingest's whole parser can be fuzzed without sockets.
/// </summary>
internal sealed class RtmpServerProtocol
{
    /// <summary>Chunk size the server sends with after <c>connect</c> (what nginx-rtmp and SRS use).</summary>
    public const int OutgoingChunkSize = 4096;

    /// <summary>Window Acknowledgement Size and Set Peer Bandwidth announced to the client (the common 2.5 MB).</summary>
    public const int AnnouncedWindow = 2_500_000;

    /// <summary>The message stream id handed out by <c>createStream</c>.</summary>
    public const uint PublishStreamId = 1;

    private const int CommandChunkStreamId = 3;
    private const int StatusChunkStreamId = 5;

    /// <summary>Handshake bytes the client sent (C0, C1, C2): they count for acknowledgements, as in ffmpeg and nginx-rtmp.</summary>
    private const long HandshakeBytes = RtmpHandshake.C0C1Size + RtmpHandshake.PacketSize;

    /// <summary>AMF0 string "@setDataFrame" (marker, 16-bit length, bytes).</summary>
    private static ReadOnlySpan<byte> SetDataFrame => "\u0002\u0000\u000D@setDataFrame"u8;

    /// <summary>AMF0 string "onMetaData".</summary>
    private static ReadOnlySpan<byte> OnMetaData => "\u0002\u0000\u000AonMetaData"u8;

    private readonly RtmpChunkStreamState _incoming;
    private readonly int _prePublishMaxMessageSize;
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private readonly ArrayBufferWriter<byte> _body = new(512);
    private State _state = State.AwaitingConnect;
    private int _outgoingChunkSize = RtmpProtocol.DefaultChunkSize;
    private long _ackWindow = AnnouncedWindow;
    private long _lastAck;
    private double _pendingTransaction;
    private uint _publishStreamId = PublishStreamId;

    private enum State
    {
        AwaitingConnect,
        ConnectPending,
        Connected,
        PublishPending,
        Publishing,
        Closed,
    }

    /// <param name="maxMessageSize">Cap on one message until the publish is accepted (see <see cref="AcceptPublish"/>).</param>
    /// <param name="maxChunkStreams">Cap on distinct chunk stream ids.</param>
    public RtmpServerProtocol(int maxMessageSize, int maxChunkStreams)
    {
        _prePublishMaxMessageSize = maxMessageSize;
        _incoming = new RtmpChunkStreamState(maxMessageSize, maxChunkStreams) { ReserveFlvTagSpace = true };
    }

    /// <summary>The <c>app</c> of <c>connect</c> as the client sent it (may carry a query; never log it: it can hold the key).</summary>
    public string? App { get; private set; }

    /// <summary>The publish name (stream key) of the pending <c>publish</c>. Never log it.</summary>
    public string? PublishName { get; private set; }

    /// <summary>The tag of the last <see cref="RtmpServerEvent.Media"/> event.</summary>
    public FlvTag? Tag { get; private set; }

    public string? Error { get; private set; }

    internal bool IsPublishing => _state == State.Publishing;

    /// <summary>Client bytes consumed so far, handshake included.</summary>
    public long BytesReceived => HandshakeBytes + _incoming.BytesConsumed;

    /// <summary>Replies not yet sent; send them and call <see cref="ClearOutput"/>.</summary>
    public ReadOnlyMemory<byte> Output => _output.WrittenMemory;

    public void ClearOutput() => _output.ResetWrittenCount();

    /// <summary>
    /// S0+S1+S2 for the client's C0+C1: S1 carries zero version bytes, which tells Flash-style clients (librtmp in
    /// OBS) to skip digest verification, and S2 echoes C1 as the plain handshake requires.
    /// </summary>
    public static void WriteHandshakeResponse(IBufferWriter<byte> output, ReadOnlySpan<byte> c0c1)
    {
        if (c0c1.Length != RtmpHandshake.C0C1Size)
        {
            throw new ArgumentException($"C0+C1 is {RtmpHandshake.C0C1Size} bytes", nameof(c0c1));
        }

        var span = output.GetSpan(1 + 2 * RtmpHandshake.PacketSize)[..(1 + 2 * RtmpHandshake.PacketSize)];
        span[0] = RtmpHandshake.Version;
        var s1 = span.Slice(1, RtmpHandshake.PacketSize);
        BinaryPrimitives.WriteUInt32BigEndian(s1, (uint)Environment.TickCount);
        s1.Slice(4, 4).Clear();
        Random.Shared.NextBytes(s1[8..]);
        c0c1[1..].CopyTo(span[(1 + RtmpHandshake.PacketSize)..]);
        output.Advance(span.Length);
    }

    /// <summary>
    /// Consumes whole chunks from <paramref name="buffer"/> until something needs the caller: a decision, a tag,
    /// the end of the publish, an error, or more data. Must not be called while a decision is pending.
    /// </summary>
    public RtmpServerEvent Read(ref ReadOnlySequence<byte> buffer)
    {
        if (_state is State.ConnectPending or State.PublishPending or State.Closed)
        {
            throw new InvalidOperationException($"cannot read in state {_state}");
        }

        Tag = null;
        while (true)
        {
            var status = RtmpChunkReader.TryRead(ref buffer, _incoming, out var message);
            if (status == RtmpChunkStatus.NeedMoreData)
            {
                return RtmpServerEvent.NeedMoreData;
            }

            if (status == RtmpChunkStatus.Invalid)
            {
                return Fail(_incoming.Error!);
            }

            if (BytesReceived - _lastAck >= _ackWindow)
            {
                _lastAck = BytesReceived;
                WriteControl(RtmpMessageType.Acknowledgement, (uint)BytesReceived);
            }

            if (message is not null && Handle(message) is { } result)
            {
                return result;
            }
        }
    }

    /// <summary>Answers the pending <c>connect</c> with the control messages and the success result.</summary>
    public void AcceptConnect()
    {
        Expect(State.ConnectPending);
        WriteControl(RtmpMessageType.WindowAcknowledgementSize, AnnouncedWindow);
        Span<byte> bandwidth = stackalloc byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(bandwidth, AnnouncedWindow);
        bandwidth[4] = 2; // dynamic limit
        RtmpChunkWriter.Write(_output, new(RtmpProtocol.ControlChunkStreamId, 0, bandwidth.Length, RtmpMessageType.SetPeerBandwidth, 0), bandwidth, _outgoingChunkSize);
        RtmpChunkWriter.WriteSetChunkSize(_output, OutgoingChunkSize);
        _outgoingChunkSize = OutgoingChunkSize;
        WriteCommand(CommandChunkStreamId, 0, "_result", _pendingTransaction,
            new Amf0Object { ["fmsVer"] = "FMS/3,0,1,123", ["capabilities"] = 31.0 },
            Status("status", "NetConnection.Connect.Success", "Connection succeeded.", objectEncoding: true));
        _state = State.Connected;
    }

    /// <summary>Answers the pending <c>connect</c> with <c>_error</c>; close the connection after sending it.</summary>
    public void RejectConnect(string description)
    {
        Expect(State.ConnectPending);
        WriteCommand(CommandChunkStreamId, 0, "_error", _pendingTransaction, null, Status("error", "NetConnection.Connect.Rejected", description));
        _state = State.Closed;
    }

    /// <summary>Starts the publish: Stream Begin, <c>NetStream.Publish.Start</c>, and media up to <paramref name="maxMessageSize"/>.</summary>
    public void AcceptPublish(int maxMessageSize, long maxBufferedBytes)
    {
        Expect(State.PublishPending);
        _incoming.MaxMessageSize = maxMessageSize;
        _incoming.MaxBufferedBytes = maxBufferedBytes;
        Span<byte> streamBegin = stackalloc byte[6];
        BinaryPrimitives.WriteUInt16BigEndian(streamBegin, 0);
        BinaryPrimitives.WriteUInt32BigEndian(streamBegin[2..], _publishStreamId);
        RtmpChunkWriter.Write(_output, new(RtmpProtocol.ControlChunkStreamId, 0, streamBegin.Length, RtmpMessageType.UserControl, 0), streamBegin, _outgoingChunkSize);
        WriteCommand(StatusChunkStreamId, _publishStreamId, "onStatus", 0, null, Status("status", "NetStream.Publish.Start", "Start publishing."));
        _state = State.Publishing;
    }

    /// <summary>
    /// Refuses the pending <c>publish</c> with an error onStatus (what nginx-rtmp sends, so encoders report a
    /// failure instead of retrying silently); close the connection after sending it.
    /// </summary>
    public void RefusePublish(string code, string description)
    {
        Expect(State.PublishPending);
        WriteCommand(StatusChunkStreamId, _publishStreamId, "onStatus", 0, null, Status("error", code, description));
        _state = State.Closed;
    }

    private RtmpServerEvent? Handle(RtmpMessage message)
    {
        var payload = message.Payload.Span;
        switch (message.Header.TypeId)
        {
            case RtmpMessageType.Audio:
                return Media(message, FlvTagType.Audio);
            case RtmpMessageType.Video:
                return Media(message, FlvTagType.Video);
            case RtmpMessageType.DataAmf0 or RtmpMessageType.DataAmf3:
                return Data(message);
            case RtmpMessageType.Aggregate:
                // Encoders do not send aggregates to a server (servers send them to players); after publish they
                // are skipped rather than unpacked, before it they are media before publish like any other.
                return _state == State.Publishing ? null : Fail("media or data before publish");
            case RtmpMessageType.WindowAcknowledgementSize when payload.Length >= 4:
                // The client says how often it wants to hear from us; 0 would mean an ack per chunk, so keep ours then.
                var window = BinaryPrimitives.ReadUInt32BigEndian(payload);
                _ackWindow = window > 0 ? window : _ackWindow;
                return null;
            case RtmpMessageType.UserControl when payload.Length >= 6 && BinaryPrimitives.ReadUInt16BigEndian(payload) == 6:
                // Ping request: answer with a ping response carrying the same timestamp.
                Span<byte> pong = stackalloc byte[6];
                BinaryPrimitives.WriteUInt16BigEndian(pong, 7);
                payload.Slice(2, 4).CopyTo(pong[2..]);
                RtmpChunkWriter.Write(_output, new(RtmpProtocol.ControlChunkStreamId, 0, pong.Length, RtmpMessageType.UserControl, 0), pong, _outgoingChunkSize);
                return null;
            case RtmpMessageType.CommandAmf0 or RtmpMessageType.CommandAmf3:
                return Command(message);
            default:
                // Set Chunk Size and Abort were applied by the chunk reader; acknowledgements, bandwidth and shared
                // objects need nothing from a publish server.
                return null;
        }
    }

    private RtmpServerEvent? Media(RtmpMessage message, FlvTagType type)
    {
        if (_state != State.Publishing)
        {
            return Fail("media or data before publish");
        }

        if (message.Payload.IsEmpty)
        {
            // Carries no frame and no codec header: nothing a subscriber could use.
            return null;
        }

        // The chunk reader reassembled the payload with room for the FLV header around it: no second copy.
        Tag = MemoryMarshal.TryGetArray(message.Payload, out var segment)
            && segment.Offset == FlvTag.HeaderSize
            && segment.Array!.Length == FlvTag.HeaderSize + segment.Count + FlvTag.TrailerSize
                ? FlvTag.FromReservedBuffer(segment.Array, type, message.Header.Timestamp)
                : FlvTag.Create(type, message.Header.Timestamp, message.Payload.Span);
        return RtmpServerEvent.Media;
    }

    private RtmpServerEvent? Data(RtmpMessage message)
    {
        if (_state != State.Publishing)
        {
            return Fail("media or data before publish");
        }

        var payload = message.Payload.Span;
        if (message.Header.TypeId == RtmpMessageType.DataAmf3 && payload.Length > 0)
        {
            // AMF3 data messages start with a format byte, then carry AMF0 (as for commands).
            payload = payload[1..];
        }

        if (payload.StartsWith(SetDataFrame))
        {
            payload = payload[SetDataFrame.Length..];
        }

        // Only onMetaData becomes an FLV script tag: the hub keeps every script tag as the stream's metadata, so
        // other data (captions, cue points, @clearDataFrame) would replace it for new viewers.
        if (!payload.StartsWith(OnMetaData) || LiveMetadata(payload[OnMetaData.Length..]) is not { } metadata)
        {
            return null;
        }

        _body.ResetWrittenCount();
        Amf0Writer.WriteString(_body, "onMetaData");
        Amf0Writer.WriteEcmaArray(_body, metadata);
        Tag = FlvTag.Create(FlvTagType.Script, message.Header.Timestamp, _body.WrittenSpan);
        return RtmpServerEvent.Media;
    }

    /// <summary>
    /// The publisher's metadata without <c>duration</c> and <c>filesize</c>: an encoder fills them from its input
    /// (ffmpeg publishing a 6 s file says 6), which makes players and ffprobe treat the live stream and its
    /// recordings as that long. The ffmpeg engine dropped them the same way (<c>-flvflags no_duration_filesize</c>).
    /// Malformed metadata is dropped rather than passed on to every viewer. Runs once per metadata message, not per frame.
    /// </summary>
    private static Amf0EcmaArray? LiveMetadata(ReadOnlySpan<byte> amf)
    {
        try
        {
            var reader = new Amf0Reader(amf);
            if (reader.ReadValue() is not IReadOnlyDictionary<string, object?> properties)
            {
                return null;
            }

            var live = new Amf0EcmaArray();
            foreach (var (name, value) in properties)
            {
                if (!name.Equals("duration", StringComparison.OrdinalIgnoreCase) && !name.Equals("filesize", StringComparison.OrdinalIgnoreCase))
                {
                    live[name] = value;
                }
            }

            return live;
        }
        catch (Amf0FormatException)
        {
            return null;
        }
    }

    private RtmpServerEvent? Command(RtmpMessage message)
    {
        if (!RtmpCommand.TryParse(message, out var command, out var error))
        {
            return Fail($"malformed command: {error}");
        }

        if (_state == State.AwaitingConnect && command!.Name != "connect")
        {
            return Fail(command.Name == "publish" ? "publish before connect" : "command before connect");
        }

        switch (command!.Name)
        {
            case "connect":
                if (_state != State.AwaitingConnect)
                {
                    return Fail("second connect");
                }

                App = (command.CommandObject as IReadOnlyDictionary<string, object?>)?.GetValueOrDefault("app") as string;
                _pendingTransaction = command.TransactionId;
                _state = State.ConnectPending;
                return RtmpServerEvent.Connect;
            case "releaseStream":
                WriteCommand(CommandChunkStreamId, 0, "_result", command.TransactionId, null, Amf0Undefined.Instance);
                return null;
            case "FCPublish":
                WriteCommand(CommandChunkStreamId, 0, "onFCPublish", 0, null, Status("status", "NetStream.Publish.Start", "FCPublish"));
                WriteCommand(CommandChunkStreamId, 0, "_result", command.TransactionId, null, Amf0Undefined.Instance);
                return null;
            case "createStream":
                WriteCommand(CommandChunkStreamId, 0, "_result", command.TransactionId, null, (double)PublishStreamId);
                return null;
            case "publish":
                if (_state == State.Publishing)
                {
                    return Fail("publish while publishing");
                }

                PublishName = command.Arguments.Count > 0 ? command.Arguments[0] as string ?? "" : "";
                _pendingTransaction = command.TransactionId;
                _publishStreamId = message.Header.MessageStreamId;
                _state = State.PublishPending;
                return RtmpServerEvent.Publish;
            case "FCUnpublish" or "deleteStream" or "closeStream" when _state == State.Publishing:
                PublishName = null;
                // Back to the pre-publish limits until a new publish is authorized.
                _incoming.MaxMessageSize = _prePublishMaxMessageSize;
                _state = State.Connected;
                return RtmpServerEvent.Unpublish;
            default:
                // _checkbw, getStreamLength, a second FCUnpublish...: nothing an ingest needs to answer.
                return null;
        }
    }

    private RtmpServerEvent Fail(string error)
    {
        Error = error;
        _state = State.Closed;
        return RtmpServerEvent.Invalid;
    }

    private void Expect(State state)
    {
        if (_state != state)
        {
            throw new InvalidOperationException($"expected state {state}, in {_state}");
        }
    }

    private void WriteControl(byte typeId, uint value)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, value);
        RtmpChunkWriter.Write(_output, new(RtmpProtocol.ControlChunkStreamId, 0, payload.Length, typeId, 0), payload, _outgoingChunkSize);
    }

    private void WriteCommand(int chunkStreamId, uint messageStreamId, string name, double transactionId, object? commandObject, object? argument)
    {
        _body.ResetWrittenCount();
        Amf0Writer.WriteString(_body, name);
        Amf0Writer.WriteNumber(_body, transactionId);
        Amf0Writer.WriteValue(_body, commandObject);
        Amf0Writer.WriteValue(_body, argument);
        RtmpChunkWriter.Write(_output, new(chunkStreamId, 0, _body.WrittenCount, RtmpMessageType.CommandAmf0, messageStreamId), _body.WrittenSpan, _outgoingChunkSize);
    }

    private static Amf0Object Status(string level, string code, string description, bool objectEncoding = false)
    {
        var info = new Amf0Object { ["level"] = level, ["code"] = code, ["description"] = description };
        if (objectEncoding)
        {
            info["objectEncoding"] = 0.0;
        }

        return info;
    }
}
