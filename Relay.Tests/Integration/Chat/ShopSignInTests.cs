using HubException = Microsoft.AspNetCore.SignalR.HubException;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.IdentityModel.Tokens;
using Relay.Chat.Channels;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Chat;

/// <summary>Viewer JWTs from the shop's own OpenID provider (`Auth:ViewerJwt:Authority`, a real one on a local port),
/// beside the HS256 key, and the member prices a token with a `tier` buys at.</summary>
public sealed class ShopSignInTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string JwtKey = "viewer-jwt-key-for-tests-0123456789abcdef";

    private static readonly LineupItem Cream = new("CRM-1", "Cream", 3000, "EUR", null, null, MemberPriceCents: 2400);

    private static Task<ChatTestHost> StartAsync(LocalOpenIdProvider provider, ScriptedOrderApi? api = null, bool guests = true)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Relay:Auth:ViewerJwtKey"] = JwtKey,
            ["Relay:Auth:ViewerJwt:Authority"] = provider.Authority,
            ["Relay:Auth:ViewerJwt:Audience"] = LocalOpenIdProvider.Audience,
            ["Relay:Auth:ViewerJwt:KeyRefreshSeconds"] = "1",
            ["Relay:Commerce:AllowGuestCheckout"] = guests ? "true" : "false",
        };
        if (api is not null) settings["Relay:Orders:Endpoint"] = api.Endpoint.ToString();
        return ChatTestHost.StartAsync(settings, new InMemoryChannelDirectory().Add(ChatTestHost.Channel, ChatTestHost.HostKey, ChatTestHost.Lipstick, Cream));
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task A_member_token_from_the_providers_RSA_or_EC_key_buys_at_the_member_price_and_the_order_says_so(string protocol)
    {
        await using var provider = await LocalOpenIdProvider.StartAsync();
        await using var api = await ScriptedOrderApi.StartAsync();
        await using var host = await StartAsync(provider, api, guests: false);
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        await seller.InvokeAsync("Pin", Cream.Sku, Ct);

        await using var gold = await Buyers.JoinedAsync(host, protocol, provider.Token(provider.Rsa, "m1", "Mia", tier: "gold"));
        await using var silver = await Buyers.JoinedAsync(host, protocol, provider.Token(provider.Ec, "m2", "Max", tier: "silver"));
        await using var plain = await Buyers.JoinedAsync(host, protocol, provider.Token(provider.Ec, "p1", "Pia"));
        await using var guest = await Buyers.JoinedAsync(host, protocol);

        var you = (await gold.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct)).You!;
        Assert.Equal(("Mia", "viewer"), (you.DisplayName, you.Role));

        var rs = await gold.BuyAsync(Cream.Sku, 1, "a");
        var es = await silver.BuyAsync(Cream.Sku, 2, "b");
        var list = await plain.BuyAsync(Cream.Sku, 1, "c");
        Assert.Equal((PurchaseStatus.Reserved, 2400L, (bool?)true), (rs.Status, rs.UnitPriceCents, rs.MemberPrice));
        Assert.Equal((PurchaseStatus.Reserved, 2400L, (bool?)true), (es.Status, es.UnitPriceCents, es.MemberPrice));
        Assert.Equal((PurchaseStatus.Reserved, 3000L, (bool?)null), (list.Status, list.UnitPriceCents, list.MemberPrice));
        // Guest checkout off: a guest still cannot buy; signed-in viewers can.
        Assert.Equal(PurchaseStatus.LoginRequired, (await guest.BuyAsync(Cream.Sku, 1, "d")).Status);

        var orders = await Buyers.WaitForOrdersAsync(host, o => o.Count == 3 && o.All(x => x.Status == "confirmed"));
        Assert.Equal([true, true, false], new[] { rs, es, list }.Select(r => orders.Single(o => o.OrderId == r.OrderId).MemberPrice));
        Assert.Equal((true, 2400L, "user_m1"), (api.Orders[rs.OrderId!].MemberPrice == true, api.Orders[rs.OrderId!].UnitPriceCents, api.Orders[rs.OrderId!].BuyerId));
        Assert.Equal((true, 2400L), (api.Orders[es.OrderId!].MemberPrice == true, api.Orders[es.OrderId!].UnitPriceCents));
        Assert.Equal((null, 3000L), (api.Orders[list.OrderId!].MemberPrice, api.Orders[list.OrderId!].UnitPriceCents));

        // A flash sale below the member price wins: the member pays the sale price, and it is no member price.
        await seller.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = Cream.Sku, PriceCents = 1900, Quantity = 5, DurationSeconds = 60 }, Ct);
        var sale = await gold.BuyAsync(Cream.Sku, 1, "e");
        Assert.Equal((PurchaseStatus.Reserved, 1900L, (bool?)null), (sale.Status, sale.UnitPriceCents, sale.MemberPrice));
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Tokens_the_provider_did_not_issue_for_this_relay_are_refused_and_a_rotated_key_is_picked_up(string protocol)
    {
        await using var provider = await LocalOpenIdProvider.StartAsync();
        await using var host = await StartAsync(provider);
        var stranger = LocalOpenIdProvider.NewRsa(provider.Rsa.KeyId);
        var refused = new Dictionary<string, string>
        {
            ["wrong issuer"] = provider.Token(provider.Rsa, "x1", "X", issuer: "https://other.example"),
            ["wrong audience"] = provider.Token(provider.Ec, "x2", "X", audience: "another-app"),
            ["expired"] = provider.Token(provider.Rsa, "x3", "X", expires: DateTime.UtcNow.AddMinutes(-5)),
            ["unknown key"] = provider.Token(LocalOpenIdProvider.NewRsa("rsa-unknown"), "x4", "X"),
            ["same kid, other key"] = provider.Token(stranger, "x5", "X"),
            ["alg none"] = provider.UnsignedToken("x6"),
            ["HS256 keyed with the public key"] = provider.Token(provider.PublicKeyAsHmacKey(), "x7", "X", tier: "gold"),
            ["HS256 with another key"] = provider.Token(new SymmetricSecurityKey("some-other-key-0123456789abcdefghijkl"u8.ToArray()), "x8", "X"),
        };
        foreach (var (why, token) in refused)
        {
            await using var connection = host.Connect(protocol, token);
            await connection.StartAsync(Ct);
            var ex = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct));
            Assert.True(ex.Message.StartsWith("unauthorized:", StringComparison.Ordinal), $"{why}: {ex.Message}");
        }
        // The HS256 key still signs viewers in beside the provider (the audience applies to its tokens too).
        await using (var shared = await Buyers.JoinedAsync(host, protocol, provider.Token(new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(JwtKey)), "h1", "Hal")))
            Assert.Equal("viewer", (await shared.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct)).You!.Role);

        // The provider rotates its RSA key: a token of the new key (an unknown kid) makes the relay fetch the keys again.
        var downloads = provider.JwksRequests;
        var rotated = provider.RotateRsa("rsa-2");
        var token2 = provider.Token(rotated, "r1", "Rea", tier: "gold");
        JoinSnapshot? joined = null;
        for (var attempt = 0; attempt < 40 && joined is null; attempt++)
        {
            await using var c = host.Connect(protocol, token2);
            await c.StartAsync(Ct);
            try
            {
                joined = await c.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
            }
            catch (HubException)
            {
                await Task.Delay(250, Ct);
            }
        }
        Assert.NotNull(joined);
        Assert.Equal(("Rea", "viewer"), (joined.You!.DisplayName, joined.You.Role));
        Assert.True(provider.JwksRequests > downloads);
        // The old key is gone from the provider: once the keys are refreshed, its tokens no longer sign in.
        await using var old = host.Connect(protocol, provider.Token(stranger, "r2", "Old"));
        await old.StartAsync(Ct);
        await ChatHubTests.Refused("unauthorized", () => old.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct));

        foreach (var secret in new[] { JwtKey, "eyJ" })
            Assert.DoesNotContain(host.Logs, line => line.Contains(secret, StringComparison.Ordinal));
    }
}
