using System.Buffers;
using System.Buffers.Binary;

namespace Relay.Ingest.Rtmp;

/// <summary>
/// Pure RTMP chunk-stream parser (RTMP 1.0 spec, section 5.3): reassembles messages from either direction.
/// Each call consumes at most one chunk, and only when the whole chunk is buffered, so a caller can forward
/// or hold bytes at chunk granularity (the ingest gateway holds the chunk that completes <c>publish</c>).
/// </summary>
public static class RtmpChunkReader
{
    /// <summary>Reads one chunk from <paramref name="buffer"/>, advancing it past the chunk when one was consumed.</summary>
    public static RtmpChunkStatus TryRead(ref ReadOnlySequence<byte> buffer, RtmpChunkStreamState state, out RtmpMessage? message)
    {
        message = null;
        if (state.Error is not null)
        {
            return RtmpChunkStatus.Invalid;
        }

        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryRead(out var first))
        {
            return RtmpChunkStatus.NeedMoreData;
        }

        var format = first >> 6;
        int chunkStreamId = first & 0x3F;
        if (chunkStreamId == 0)
        {
            if (!reader.TryRead(out var b1)) return RtmpChunkStatus.NeedMoreData;
            chunkStreamId = 64 + b1;
        }
        else if (chunkStreamId == 1)
        {
            if (!reader.TryRead(out var b1) || !reader.TryRead(out var b2)) return RtmpChunkStatus.NeedMoreData;
            chunkStreamId = 64 + b1 + (b2 << 8);
        }

        state.Slots.TryGetValue(chunkStreamId, out var slot);
        if (slot is null)
        {
            if (format != 0)
            {
                return Fail(state, $"chunk stream {chunkStreamId} starts with a type {format} header (needs type 0)");
            }

            if (state.Slots.Count >= state.MaxChunkStreams)
            {
                return Fail(state, $"more than {state.MaxChunkStreams} chunk streams");
            }
        }

        // Decode the message header into locals; the slot is only updated once the whole chunk is buffered.
        uint timestampField = 0;
        int length = slot?.Length ?? 0;
        byte typeId = slot?.TypeId ?? 0;
        uint messageStreamId = slot?.MessageStreamId ?? 0;
        bool extended;
        switch (format)
        {
            case 0:
                if (reader.Remaining < 11) return RtmpChunkStatus.NeedMoreData;
                timestampField = ReadUInt24(ref reader);
                length = (int)ReadUInt24(ref reader);
                reader.TryRead(out typeId);
                reader.TryReadLittleEndian(out int streamId);
                messageStreamId = (uint)streamId;
                extended = timestampField == RtmpProtocol.ExtendedTimestampMarker;
                break;
            case 1:
                if (reader.Remaining < 7) return RtmpChunkStatus.NeedMoreData;
                timestampField = ReadUInt24(ref reader);
                length = (int)ReadUInt24(ref reader);
                reader.TryRead(out typeId);
                extended = timestampField == RtmpProtocol.ExtendedTimestampMarker;
                break;
            case 2:
                if (reader.Remaining < 3) return RtmpChunkStatus.NeedMoreData;
                timestampField = ReadUInt24(ref reader);
                extended = timestampField == RtmpProtocol.ExtendedTimestampMarker;
                break;
            default:
                // Type 3 repeats the 4-byte extended timestamp when the last type 0-2 header of this chunk stream
                // used one (spec 5.3.1.3; ffmpeg, librtmp and OBS all send it).
                extended = slot!.HasExtendedTimestamp;
                break;
        }

        uint extendedTimestamp = 0;
        if (extended)
        {
            if (!reader.TryReadBigEndian(out int ext)) return RtmpChunkStatus.NeedMoreData;
            extendedTimestamp = (uint)ext;
        }

        if (length > state.MaxMessageSize)
        {
            return Fail(state, $"message of {length} bytes exceeds the {state.MaxMessageSize}-byte limit");
        }

        var continuing = slot?.Partial is not null;
        if (continuing && format != 3)
        {
            return Fail(state, $"chunk stream {chunkStreamId} got a new message header in the middle of a message");
        }

        var filled = continuing ? slot!.PartialFilled : 0;
        var payloadSize = Math.Min(state.ChunkSize, length - filled);
        if (reader.Remaining < payloadSize)
        {
            return RtmpChunkStatus.NeedMoreData;
        }

        if (!continuing && state.BufferedBytes + length > state.MaxBufferedBytes)
        {
            return Fail(state, $"more than {state.MaxBufferedBytes} bytes of messages in reassembly");
        }

        // The whole chunk is here: commit the header to the slot.
        if (slot is null)
        {
            slot = new RtmpChunkStreamState.ChunkStreamSlot();
            state.Slots.Add(chunkStreamId, slot);
        }

        var value = extended ? extendedTimestamp : timestampField;
        switch (format)
        {
            case 0:
                slot.Timestamp = value;
                slot.TimestampDelta = 0;
                break;
            case 1:
            case 2:
                slot.TimestampDelta = value;
                slot.Timestamp = unchecked(slot.Timestamp + value);
                break;
            default:
                if (!continuing)
                {
                    // A type 3 chunk that starts a new message repeats the previous delta.
                    slot.Timestamp = unchecked(slot.Timestamp + slot.TimestampDelta);
                }

                break;
        }

        if (format != 3)
        {
            slot.HasExtendedTimestamp = extended;
            slot.Length = length;
            slot.TypeId = typeId;
            slot.MessageStreamId = messageStreamId;
        }

        if (!continuing)
        {
            if (state.ReserveFlvTagSpace && slot.TypeId is RtmpMessageType.Audio or RtmpMessageType.Video)
            {
                slot.Partial = new byte[Media.FlvTag.HeaderSize + length + Media.FlvTag.TrailerSize];
                slot.PartialOffset = Media.FlvTag.HeaderSize;
            }
            else
            {
                slot.Partial = length == 0 ? [] : new byte[length];
                slot.PartialOffset = 0;
            }

            slot.PartialFilled = 0;
            state.BufferedBytes += length;
        }

        reader.UnreadSequence.Slice(0, payloadSize).CopyTo(slot.Partial.AsSpan(slot.PartialOffset + slot.PartialFilled));
        slot.PartialFilled += payloadSize;
        reader.Advance(payloadSize);

        state.BytesConsumed += reader.Consumed;
        buffer = buffer.Slice(reader.Position);

        if (slot.PartialFilled < slot.Length)
        {
            return RtmpChunkStatus.ChunkConsumed;
        }

        message = new RtmpMessage(
            new RtmpMessageHeader(chunkStreamId, slot.Timestamp, slot.Length, slot.TypeId, slot.MessageStreamId),
            slot.Partial!.AsMemory(slot.PartialOffset, slot.Length));
        state.BufferedBytes -= slot.Length;
        slot.Partial = null;
        slot.PartialFilled = 0;
        return ApplyProtocolControl(state, message);
    }

    /// <summary>
    /// Set Chunk Size and Abort change how the following chunks of this direction are read, so the reader applies
    /// them itself; the message is still returned for the caller to see.
    /// </summary>
    private static RtmpChunkStatus ApplyProtocolControl(RtmpChunkStreamState state, RtmpMessage message)
    {
        if (message.Header.TypeId == RtmpMessageType.SetChunkSize)
        {
            if (message.Payload.Length < 4)
            {
                return Fail(state, "Set Chunk Size message shorter than 4 bytes");
            }

            var size = BinaryPrimitives.ReadInt32BigEndian(message.Payload.Span);
            if (size < 1)
            {
                return Fail(state, $"invalid chunk size {size}");
            }

            state.ChunkSize = size;
        }
        else if (message.Header.TypeId == RtmpMessageType.Abort)
        {
            if (message.Payload.Length < 4)
            {
                return Fail(state, "Abort message shorter than 4 bytes");
            }

            var aborted = BinaryPrimitives.ReadInt32BigEndian(message.Payload.Span);
            if (state.Slots.TryGetValue(aborted, out var abortedSlot) && abortedSlot.Partial is not null)
            {
                state.BufferedBytes -= abortedSlot.Length;
                abortedSlot.Partial = null;
                abortedSlot.PartialFilled = 0;
            }
        }

        return RtmpChunkStatus.MessageComplete;
    }

    private static uint ReadUInt24(ref SequenceReader<byte> reader)
    {
        reader.TryRead(out var b0);
        reader.TryRead(out var b1);
        reader.TryRead(out var b2);
        return (uint)(b0 << 16 | b1 << 8 | b2);
    }

    private static RtmpChunkStatus Fail(RtmpChunkStreamState state, string error)
    {
        state.Error = error;
        return RtmpChunkStatus.Invalid;
    }
}
