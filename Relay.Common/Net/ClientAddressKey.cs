using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Relay.Common.Net;

/// <summary>
/// The unit per-client limits count by, on every plane (RTMP connection limiter, HTTP load limiter, guest mints,
/// hub moderation): an IPv4 address as is (IPv4-mapped IPv6 too), an IPv6 address by its /64. One IPv6 subscriber
/// usually gets a whole /64, so counting full addresses would let one client rotate past any per-address limit.
/// The address is the connection's remote one, which is the client's when the forwarded-headers middleware runs first.
/// </summary>
public static class ClientAddressKey
{
    // Per process: the hashes only have to match within this process's memory (mutes), never be stored or compared.
    private static readonly byte[] Salt = RandomNumberGenerator.GetBytes(32);

    public static IPAddress Of(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }

    /// <summary>The key as text, for partition keys: <c>192.0.2.1</c>, <c>2001:db8:1:2::/64</c>, or <c>unknown</c>.</summary>
    public static string Text(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        var key = Of(address);
        return key.AddressFamily == AddressFamily.InterNetworkV6 ? key + "/64" : key.ToString();
    }

    /// <summary>A keyed hash of <see cref="Text"/>, so moderation state never holds a viewer's raw address.</summary>
    public static string? Hash(IPAddress? address) =>
        address is null ? null : Convert.ToHexStringLower(HMACSHA256.HashData(Salt, Encoding.UTF8.GetBytes(Text(address))))[..32];
}
