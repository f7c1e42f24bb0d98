using System.Net;

namespace Relay.Ingest.Net;

/// <summary>
/// The unit per-client limits count by: an IPv4 address as is (IPv4-mapped IPv6 too), an IPv6 address by its /64.
/// One IPv6 subscriber usually gets a whole /64, so counting full addresses would let one client rotate past any
/// per-address limit.
/// </summary>
public static class ClientAddressKey
{
    public static IPAddress Of(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }
}
