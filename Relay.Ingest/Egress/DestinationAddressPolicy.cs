using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Relay.Ingest.Egress;

/// <summary>
/// Where a destination set with a host key may point (contract v2, "destination address policy"): public addresses
/// only, so a host key cannot make Relay connect to its own loopback, the private network, link-local services such
/// as the cloud metadata endpoint (169.254.169.254), multicast or unspecified addresses, IPv4-mapped forms included.
/// Checked twice: when the URL is set (400 naming <c>url</c>) and at every connect (the name is resolved, the answers
/// vetted and the socket connected to a vetted address, so a name that re-resolves elsewhere later gets nowhere).
/// <c>Relay:Egress:AllowPrivateDestinations</c> lifts it; destinations set with the admin token or in configuration
/// are not subject to it.
/// </summary>
public sealed class DestinationAddressPolicy(IHostResolver resolver, IOptionsMonitor<EgressOptions>? options = null)
{
    /// <summary>How long the API waits for a name to resolve before accepting it (the connect-time check still holds).</summary>
    public static readonly TimeSpan ApiResolveTimeout = TimeSpan.FromSeconds(2);

    public const string Rule = "must point at a public address (not loopback, private, link-local, multicast or unspecified)";

    public bool AllowsPrivate => options?.CurrentValue.AllowPrivateDestinations ?? false;

    /// <summary>
    /// For the API: null when the host may be used, else why not. A name that does not resolve now is accepted,
    /// since every connect vets the addresses again.
    /// </summary>
    public async Task<string?> ProblemWithAsync(string host, CancellationToken cancellationToken)
    {
        if (AllowsPrivate)
        {
            return null;
        }

        IPAddress[] addresses;
        if (TryParseLiteral(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ApiResolveTimeout);
            try
            {
                addresses = await resolver.ResolveAsync(host, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ArgumentException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                return null;
            }
        }

        return addresses.All(IsPublic) ? null : Rule;
    }

    /// <summary>
    /// For the pusher: the public addresses the host resolves to now. Throws <see cref="SocketException"/>
    /// (<see cref="SocketError.AccessDenied"/>) when there is none, so the caller's connect error path handles it.
    /// </summary>
    public async Task<IPAddress[]> ResolvePublicAsync(string host, CancellationToken cancellationToken)
    {
        var addresses = TryParseLiteral(host, out var literal)
            ? [literal]
            : await resolver.ResolveAsync(host, cancellationToken).ConfigureAwait(false);
        var allowed = addresses.Where(IsPublic).ToArray();
        return allowed.Length > 0 ? allowed : throw new SocketException((int)SocketError.AccessDenied);
    }

    /// <summary>Connects <paramref name="socket"/> to a vetted address of <paramref name="host"/>, never to the name.</summary>
    public async Task ConnectAsync(Socket socket, string host, int port, CancellationToken cancellationToken)
    {
        var addresses = await ResolvePublicAsync(host, cancellationToken).ConfigureAwait(false);
        await socket.ConnectAsync(addresses, port, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether a destination may be reached at this address under the policy.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return IsPublicV4(address.MapToIPv4().GetAddressBytes());
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return IsPublicV4(address.GetAddressBytes());
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        var b = address.GetAddressBytes();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal
            || address.IsIPv6Multicast || (b[0] & 0xFE) == 0xFC)
        {
            return false; // ::1, ::, fe80::/10, fec0::/10, ff00::/8, fc00::/7 (ULA)
        }

        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
        {
            return IsPublicV4(b[12..]); // ::a.b.c.d (IPv4-compatible, deprecated)
        }

        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
        {
            return IsPublicV4(b[12..]); // 64:ff9b::/96 (NAT64)
        }

        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return IsPublicV4(b[2..6]); // 2002::/16 (6to4) carries an IPv4 address
        }

        return !(b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8); // 2001:db8::/32 (documentation)
    }

    private static bool IsPublicV4(ReadOnlySpan<byte> a) => a[0] switch
    {
        0 => false,                                   // 0.0.0.0/8 "this network", unspecified
        10 => false,                                  // RFC 1918
        100 when (a[1] & 0xC0) == 64 => false,        // 100.64.0.0/10 CGNAT
        127 => false,                                 // loopback
        169 when a[1] == 254 => false,                // link-local, cloud metadata
        172 when (a[1] & 0xF0) == 16 => false,        // RFC 1918
        192 when a[1] == 168 => false,                // RFC 1918
        192 when a[1] == 0 && a[2] is 0 or 2 => false, // IETF protocol assignments, TEST-NET-1
        198 when a[1] is 18 or 19 => false,           // benchmarking
        198 when a[1] == 51 && a[2] == 100 => false,  // TEST-NET-2
        203 when a[1] == 0 && a[2] == 113 => false,   // TEST-NET-3
        >= 224 => false,                              // multicast, reserved, broadcast
        _ => true,
    };

    private static bool TryParseLiteral(string host, out IPAddress address)
    {
        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        // Only the plain dotted or colon forms: anything else ("2130706433", "0x7f.1") goes through the resolver,
        // whose answers are what gets vetted.
        if (IPAddress.TryParse(bare, out var parsed) && (bare.Contains(':', StringComparison.Ordinal) || bare.Count(c => c == '.') == 3))
        {
            address = parsed;
            return true;
        }

        address = IPAddress.None;
        return false;
    }
}
