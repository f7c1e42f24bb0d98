using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Relay.Ingest.Srt;

/// <summary>Linux <c>sockaddr_in</c> / <c>sockaddr_in6</c> as libsrt takes and gives them.</summary>
internal static unsafe class SrtAddress
{
    public const int MaxLength = 28;
    private const ushort Inet = 2;
    private const ushort Inet6 = 10;

    public static int Write(IPEndPoint endPoint, Span<byte> buffer)
    {
        buffer[..MaxLength].Clear();
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], (ushort)endPoint.Port);
        if (endPoint.AddressFamily == AddressFamily.InterNetwork)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(buffer, Inet);
            endPoint.Address.TryWriteBytes(buffer[4..8], out _);
            return 16;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(buffer, Inet6);
        endPoint.Address.TryWriteBytes(buffer[8..24], out _);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[24..], (uint)endPoint.Address.ScopeId);
        return MaxLength;
    }

    public static IPEndPoint Read(byte* address)
    {
        if (address is null)
        {
            return new IPEndPoint(IPAddress.None, 0);
        }

        var family = BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(address, 2));
        var span = new ReadOnlySpan<byte>(address, family == Inet6 ? MaxLength : 16);
        var port = BinaryPrimitives.ReadUInt16BigEndian(span[2..]);
        return family == Inet6
            ? new IPEndPoint(new IPAddress(span[8..24], BinaryPrimitives.ReadUInt32LittleEndian(span[24..])), port)
            : new IPEndPoint(new IPAddress(span[4..8]), port);
    }
}
