using System.Net;
using Relay.Common.Net;

namespace Relay.Tests.Unit.RelayCommon.Net;

public sealed class ClientAddressKeyTests
{
    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7", "192.0.2.7")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7", "192.0.2.7")]
    [InlineData("2001:db8:1:2:abcd::3", "2001:db8:1:2::", "2001:db8:1:2::/64")]
    [InlineData("fe80::1%2", "fe80::", "fe80::/64")]
    public void IPv4_counts_as_is_and_IPv6_by_its_64(string address, string key, string text)
    {
        var ip = IPAddress.Parse(address);
        Assert.Equal(IPAddress.Parse(key), ClientAddressKey.Of(ip));
        Assert.Equal(text, ClientAddressKey.Text(ip));
    }

    [Fact]
    public void An_unknown_address_is_one_key_and_has_no_hash()
    {
        Assert.Equal("unknown", ClientAddressKey.Text(null));
        Assert.Null(ClientAddressKey.Hash(null));
    }

    [Fact]
    public void The_hash_is_per_key_and_never_the_address()
    {
        var one = ClientAddressKey.Hash(IPAddress.Parse("2001:db8:1:2::1"));
        Assert.Equal(one, ClientAddressKey.Hash(IPAddress.Parse("2001:db8:1:2:ffff::9")));
        Assert.NotEqual(one, ClientAddressKey.Hash(IPAddress.Parse("2001:db8:1:3::1")));
        Assert.Equal(ClientAddressKey.Hash(IPAddress.Parse("192.0.2.7")), ClientAddressKey.Hash(IPAddress.Parse("::ffff:192.0.2.7")));
        Assert.Matches("^[0-9a-f]{32}$", one);
        Assert.DoesNotContain("2001", one, StringComparison.Ordinal);
    }
}
