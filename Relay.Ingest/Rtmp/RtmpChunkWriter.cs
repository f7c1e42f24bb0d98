using System.Buffers;
using System.Buffers.Binary;

namespace Relay.Ingest.Rtmp;

/// <summary>
/// Splits one message into chunks: a type 0 header, then type 3 continuation chunks, each at most
/// <c>chunkSize</c> payload bytes. Always-type-0 costs a few header bytes per message compared with delta
/// compression but is valid for every peer and keeps the writer stateless.
/// </summary>
public static class RtmpChunkWriter
{
    public static void Write(IBufferWriter<byte> output, RtmpMessageHeader header, ReadOnlySpan<byte> payload, int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(header.ChunkStreamId, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(header.ChunkStreamId, 65599);
        if (payload.Length > 0xFFFFFF)
        {
            throw new ArgumentOutOfRangeException(nameof(payload), "an RTMP message holds at most 16 MiB - 1 bytes");
        }

        var extended = header.Timestamp >= RtmpProtocol.ExtendedTimestampMarker;
        var offset = 0;
        var firstChunk = true;
        do
        {
            var size = Math.Min(chunkSize, payload.Length - offset);
            var span = output.GetSpan(3 + 11 + 4);
            var n = WriteBasicHeader(span, firstChunk ? 0 : 3, header.ChunkStreamId);
            if (firstChunk)
            {
                WriteUInt24(span[n..], extended ? RtmpProtocol.ExtendedTimestampMarker : header.Timestamp);
                WriteUInt24(span[(n + 3)..], (uint)payload.Length);
                span[n + 6] = header.TypeId;
                BinaryPrimitives.WriteUInt32LittleEndian(span[(n + 7)..], header.MessageStreamId);
                n += 11;
            }

            if (extended)
            {
                BinaryPrimitives.WriteUInt32BigEndian(span[n..], header.Timestamp);
                n += 4;
            }

            output.Advance(n);
            output.Write(payload.Slice(offset, size));
            offset += size;
            firstChunk = false;
        }
        while (offset < payload.Length);
    }

    /// <summary>Convenience for building a Set Chunk Size message (send it, then switch the writer's chunk size).</summary>
    public static void WriteSetChunkSize(IBufferWriter<byte> output, int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, chunkSize);
        Write(output, new RtmpMessageHeader(RtmpProtocol.ControlChunkStreamId, 0, 4, RtmpMessageType.SetChunkSize, 0), payload, RtmpProtocol.DefaultChunkSize);
    }

    private static int WriteBasicHeader(Span<byte> span, int format, int chunkStreamId)
    {
        if (chunkStreamId < 64)
        {
            span[0] = (byte)(format << 6 | chunkStreamId);
            return 1;
        }

        if (chunkStreamId < 64 + 256)
        {
            span[0] = (byte)(format << 6);
            span[1] = (byte)(chunkStreamId - 64);
            return 2;
        }

        span[0] = (byte)(format << 6 | 1);
        span[1] = (byte)((chunkStreamId - 64) & 0xFF);
        span[2] = (byte)((chunkStreamId - 64) >> 8);
        return 3;
    }

    private static void WriteUInt24(Span<byte> span, uint value)
    {
        span[0] = (byte)(value >> 16);
        span[1] = (byte)(value >> 8);
        span[2] = (byte)value;
    }
}
