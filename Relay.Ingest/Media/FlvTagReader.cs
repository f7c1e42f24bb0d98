using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Relay.Ingest.Media;

/// <summary>
/// Pure FLV parser over <see cref="ReadOnlySequence{T}"/> plus a <see cref="PipeReader"/> loop. Tag sizes are
/// checked against a cap before anything is buffered, so a hostile or corrupt stream costs at most that much memory.
/// </summary>
public static class FlvTagReader
{
    /// <summary>FLV file header (9 bytes) plus PreviousTagSize0 (4 bytes).</summary>
    public const int FileHeaderSize = 13;

    public const int DefaultMaxTagSize = 8 * 1024 * 1024;

    /// <summary>The FLV file header with audio+video flags, followed by PreviousTagSize0, as HTTP-FLV sends it first.</summary>
    public static ReadOnlySpan<byte> AudioVideoFileHeader => [(byte)'F', (byte)'L', (byte)'V', 1, 0x05, 0, 0, 0, 9, 0, 0, 0, 0];

    public static FlvReadStatus TryReadFileHeader(ref ReadOnlySequence<byte> buffer, out string? error)
    {
        error = null;
        if (buffer.Length < FileHeaderSize)
        {
            return FlvReadStatus.NeedMoreData;
        }

        Span<byte> header = stackalloc byte[FileHeaderSize];
        buffer.Slice(0, FileHeaderSize).CopyTo(header);
        if (header[0] != 'F' || header[1] != 'L' || header[2] != 'V')
        {
            error = "not an FLV stream (missing 'FLV' signature)";
            return FlvReadStatus.Invalid;
        }

        var dataOffset = BinaryPrimitives.ReadUInt32BigEndian(header[5..]);
        if (dataOffset != 9)
        {
            // Every muxer writes 9; a larger offset would mean skipping unknown bytes, which nothing produces.
            error = $"unsupported FLV header size {dataOffset}";
            return FlvReadStatus.Invalid;
        }

        buffer = buffer.Slice(FileHeaderSize);
        return FlvReadStatus.Read;
    }

    public static FlvReadStatus TryReadTag(ref ReadOnlySequence<byte> buffer, int maxTagSize, out FlvTag? tag, out string? error)
    {
        tag = null;
        error = null;
        if (buffer.Length < FlvTag.HeaderSize)
        {
            return FlvReadStatus.NeedMoreData;
        }

        Span<byte> header = stackalloc byte[FlvTag.HeaderSize];
        buffer.Slice(0, FlvTag.HeaderSize).CopyTo(header);
        if ((header[0] & 0x20) != 0)
        {
            error = "encrypted FLV tags are not supported";
            return FlvReadStatus.Invalid;
        }

        var bodySize = header[1] << 16 | header[2] << 8 | header[3];
        var total = FlvTag.HeaderSize + bodySize + FlvTag.TrailerSize;
        if (bodySize > maxTagSize)
        {
            error = $"FLV tag of {bodySize} bytes exceeds the {maxTagSize}-byte limit";
            return FlvReadStatus.Invalid;
        }

        if (buffer.Length < total)
        {
            return FlvReadStatus.NeedMoreData;
        }

        var serialized = new byte[total];
        buffer.Slice(0, total).CopyTo(serialized);
        var previousTagSize = BinaryPrimitives.ReadUInt32BigEndian(serialized.AsSpan(total - FlvTag.TrailerSize));
        if (previousTagSize != FlvTag.HeaderSize + bodySize)
        {
            error = $"FLV previous-tag-size {previousTagSize} does not match the tag ({FlvTag.HeaderSize + bodySize})";
            return FlvReadStatus.Invalid;
        }

        buffer = buffer.Slice(total);
        tag = FlvTag.FromSerialized(serialized);
        return FlvReadStatus.Read;
    }

    /// <summary>Reads the file header and then tags until the writer completes. Malformed input throws <see cref="InvalidDataException"/>.</summary>
    public static async IAsyncEnumerable<FlvTag> ReadTagsAsync(PipeReader reader, int maxTagSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var headerRead = false;
        var tags = new List<FlvTag>();
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            string? error = null;
            try
            {
                if (!headerRead)
                {
                    var status = TryReadFileHeader(ref buffer, out error);
                    headerRead = status == FlvReadStatus.Read;
                }

                while (headerRead && error is null && TryReadTag(ref buffer, maxTagSize, out var tag, out error) == FlvReadStatus.Read)
                {
                    tags.Add(tag!);
                }
            }
            finally
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
            }

            // Yield outside the parse so the PipeReader buffer is released before consumers run.
            foreach (var tag in tags)
            {
                yield return tag;
            }

            tags.Clear();
            if (error is not null)
            {
                throw new InvalidDataException(error);
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                yield break;
            }
        }
    }
}
