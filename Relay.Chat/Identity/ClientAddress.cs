using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Relay.Chat.Identity;

/// <summary>
/// One client address as the relay counts it: an IPv4 address, or the /64 of an IPv6 one (a single subscriber is
/// usually given a whole /64, so per-address limits on single IPv6 addresses would be free to evade). It is the
/// connection's remote address, which is the client's when the forwarded-headers middleware runs in front of this.
/// </summary>
internal static class ClientAddress
{
    // Per process: the hashes only have to match within this process's memory (mutes), never be stored or compared.
    private static readonly byte[] Salt = RandomNumberGenerator.GetBytes(32);

    public static string Key(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>A keyed hash of <see cref="Key"/>, so moderation state never holds a viewer's raw address.</summary>
    public static string? Hash(IPAddress? address) =>
        address is null ? null : Convert.ToHexStringLower(HMACSHA256.HashData(Salt, Encoding.UTF8.GetBytes(Key(address))))[..32];
}
