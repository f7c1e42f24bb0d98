using System.Buffers.Binary;
using Relay.Ingest.Media;

namespace Relay.Ingest.Consumers.Recording;

/// <summary>
/// Walks the tag headers of a recorded FLV (bodies are skipped, so a long recording scans in milliseconds) to find
/// its duration and where the last whole tag ends: after a crash the tail may hold half a tag.
/// </summary>
internal static class FlvFileScanner
{
    public readonly record struct ScanResult(long WholeTagsEnd, uint LastTimestamp, int Tags);

    public static ScanResult Scan(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = file.Length;
        if (length < FlvTagReader.FileHeaderSize)
        {
            return new ScanResult(0, 0, 0);
        }

        Span<byte> header = stackalloc byte[FlvTag.HeaderSize];
        long position = FlvTagReader.FileHeaderSize;
        uint last = 0;
        var tags = 0;
        while (position + FlvTag.HeaderSize <= length)
        {
            file.Position = position;
            file.ReadExactly(header);
            var size = (int)(BinaryPrimitives.ReadUInt32BigEndian(header) & 0xFFFFFF);
            var end = position + FlvTag.HeaderSize + size + FlvTag.TrailerSize;
            if (end > length)
            {
                break;
            }

            var timestamp = (uint)((header[4] << 16) | (header[5] << 8) | header[6] | (header[7] << 24));
            last = Math.Max(last, timestamp);
            tags++;
            position = end;
        }

        return new ScanResult(position, last, tags);
    }
}
