namespace Relay.Ingest.Rtmp;

/// <summary>
/// Per-direction state of an RTMP chunk stream: the previous header of every chunk stream id (fmt 1-3 chunks
/// inherit from it), partially reassembled messages and the peer's current chunk size.
/// </summary>
public sealed class RtmpChunkStreamState
{
    /// <summary>Default cap on one message. Video keyframes of high-bitrate streams fit; junk lengths do not.</summary>
    public const int DefaultMaxMessageSize = 8 * 1024 * 1024;

    /// <summary>Default cap on distinct chunk stream ids: real peers use a handful, a hostile one could use 65599.</summary>
    public const int DefaultMaxChunkStreams = 64;

    internal readonly Dictionary<int, ChunkStreamSlot> Slots = new();

    public RtmpChunkStreamState(int maxMessageSize = DefaultMaxMessageSize, int maxChunkStreams = DefaultMaxChunkStreams)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunkStreams, 1);
        MaxMessageSize = maxMessageSize;
        MaxChunkStreams = maxChunkStreams;
    }

    /// <summary>The chunk size the peer sends with; updated when a Set Chunk Size message is read.</summary>
    public int ChunkSize { get; internal set; } = RtmpProtocol.DefaultChunkSize;

    /// <summary>
    /// Cap on one message. Settable so a server can raise it once the peer is trusted (the native ingest allows
    /// 64 KiB before <c>publish</c> and <c>Relay:Ingest:MaxTagSize</c> after); messages already started keep
    /// the size they were admitted with.
    /// </summary>
    public int MaxMessageSize
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    }

    public int MaxChunkStreams { get; }

    /// <summary>
    /// Cap on the bytes held by messages still being reassembled, over all chunk streams. A message's buffer is
    /// allocated whole at its first chunk, so without this a peer could make every chunk stream announce a
    /// maximum-size message and cost <see cref="MaxChunkStreams"/> times <see cref="MaxMessageSize"/>.
    /// </summary>
    public long MaxBufferedBytes
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = long.MaxValue;

    /// <summary>Bytes of the messages being reassembled now.</summary>
    public long BufferedBytes { get; internal set; }

    /// <summary>
    /// When set, audio and video messages are reassembled into an array with room for an FLV tag header before
    /// and the previous-tag-size after the payload, so the ingest wraps them in an <see cref="Media.FlvTag"/>
    /// without copying (see <see cref="Media.FlvTag.FromReservedBuffer"/>).
    /// </summary>
    internal bool ReserveFlvTagSpace { get; set; }

    /// <summary>Total bytes consumed so far (for acknowledgements and metrics).</summary>
    public long BytesConsumed { get; internal set; }

    /// <summary>Why the stream was rejected, once <see cref="RtmpChunkStatus.Invalid"/> was returned.</summary>
    public string? Error { get; internal set; }

    internal sealed class ChunkStreamSlot
    {
        public uint Timestamp;
        public uint TimestampDelta;
        public int Length;
        public byte TypeId;
        public uint MessageStreamId;
        public bool HasExtendedTimestamp;
        public byte[]? Partial;
        public int PartialOffset;
        public int PartialFilled;
    }
}
