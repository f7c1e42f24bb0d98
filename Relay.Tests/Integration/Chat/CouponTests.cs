using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Tests.Common;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Chat;

/// <summary>
/// Coupons (issue 16): `DropCoupon` by a host, `ClaimCoupon` by viewers, never more claims than the quantity nor a viewer's
/// `perBuyer`, and a claim used once by a purchase, which sends `couponId` and `discountCents` to the order API; a failed
/// order gives the claim back. Real SignalR clients in both protocols.
/// </summary>
public sealed class CouponTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string JwtKey = "viewer-jwt-key-for-coupon-tests-0123456789";

    private static string Viewer(string sub) => PurchaseTests.Token(sub, sub, DateTime.UtcNow.AddMinutes(10), JwtKey);

    private static Task<CouponClaimResult> ClaimAsync(HubConnection connection, string couponId) =>
        connection.InvokeAsync<CouponClaimResult>("ClaimCoupon", couponId, Ct);

    private static Task<CouponView> DropAsync(HubConnection host, CouponRequest request) =>
        host.InvokeAsync<CouponView>("DropCoupon", request, Ct);

    private static Task<PurchaseResult> BuyAsync(HubConnection connection, string sku, int quantity, string key, string? couponId) =>
        connection.InvokeAsync<PurchaseResult>("Purchase", new PurchaseRequest { Sku = sku, Quantity = quantity, IdempotencyKey = key, CouponId = couponId }, Ct);

    [Theory, MemberData(nameof(Common.Hosts.Hub.Protocols), MemberType = typeof(Common.Hosts.Hub))]
    public async Task A_dropped_coupon_is_claimed_within_its_quantity_and_per_buyer_cap_and_bad_drops_change_nothing(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Auth:ViewerJwtKey"] = JwtKey,
            ["Relay:Commerce:CouponsRequireLogin"] = "true",
        });
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        await using var ann = await Buyers.JoinedAsync(host, protocol, Viewer("ann"));
        await using var bob = await Buyers.JoinedAsync(host, protocol, Viewer("bob"));
        await using var carl = await Buyers.JoinedAsync(host, protocol, Viewer("carl"));
        await using var guest = await Buyers.JoinedAsync(host, protocol);
        var coupons = new EventInbox<CouponView>(ann, "coupon");

        // Refusals name the field and change nothing.
        async Task Refused(CouponRequest request, string expected)
        {
            var refusal = await Assert.ThrowsAsync<HubException>(() => DropAsync(seller, request));
            Assert.StartsWith("invalid: " + expected, refusal.Message);
        }
        await Refused(new CouponRequest { DiscountCents = 100, PercentOff = 10, Quantity = 5, DurationSeconds = 60 }, "discountCents or percentOff");
        await Refused(new CouponRequest { Quantity = 5, DurationSeconds = 60 }, "discountCents or percentOff");
        await Refused(new CouponRequest { PercentOff = 95, Quantity = 5, DurationSeconds = 60 }, "percentOff");
        await Refused(new CouponRequest { DiscountCents = 0, Quantity = 5, DurationSeconds = 60 }, "discountCents");
        await Refused(new CouponRequest { DiscountCents = 100, Quantity = 0, DurationSeconds = 60 }, "quantity");
        await Refused(new CouponRequest { DiscountCents = 100, Quantity = 100_001, DurationSeconds = 60 }, "quantity");
        await Refused(new CouponRequest { DiscountCents = 100, Quantity = 5, DurationSeconds = 9 }, "durationSeconds");
        await Refused(new CouponRequest { DiscountCents = 100, Quantity = 5, DurationSeconds = 3601 }, "durationSeconds");
        await Refused(new CouponRequest { DiscountCents = 100, Quantity = 5, PerBuyer = 0, DurationSeconds = 60 }, "perBuyer");
        await Refused(new CouponRequest { DiscountCents = 100, MinSpendCents = -1, Quantity = 5, DurationSeconds = 60 }, "minSpendCents");
        await Refused(new CouponRequest { DiscountCents = 100, Sku = "NOPE", Quantity = 5, DurationSeconds = 60 }, "sku");
        await Refused(null!, "a {");
        var forbidden = await Assert.ThrowsAsync<HubException>(() => DropAsync(ann, new CouponRequest { DiscountCents = 100, Quantity = 5, DurationSeconds = 60 }));
        Assert.StartsWith("forbidden", forbidden.Message);
        Assert.True(await coupons.StaysQuietAsync(0.3));

        var dropped = await DropAsync(seller, new CouponRequest { DiscountCents = 300, MinSpendCents = 2000, Quantity = 3, PerBuyer = 2, DurationSeconds = 60 });
        var seen = await coupons.NextAsync();
        Assert.Equal(dropped.CouponId, seen.CouponId);
        Assert.Equal((300L, (int?)null, 2000L, (string?)null, 3, 3, "EUR"), (seen.DiscountCents, seen.PercentOff, seen.MinSpendCents, seen.Sku, seen.Remaining, seen.Quantity, seen.Currency));
        Assert.InRange(seen.EndsAt, DateTime.UtcNow.AddSeconds(50), DateTime.UtcNow.AddSeconds(61));

        Assert.Equal(CouponStatus.LoginRequired, (await ClaimAsync(guest, dropped.CouponId)).Status);
        Assert.Equal(CouponStatus.Invalid, (await ClaimAsync(seller, dropped.CouponId)).Status);
        Assert.Equal(CouponStatus.Invalid, (await ClaimAsync(ann, "cp_nope")).Status);
        Assert.Equal(CouponStatus.Invalid, (await ClaimAsync(ann, "")).Status);
        Assert.Equal(CouponStatus.Claimed, (await ClaimAsync(ann, dropped.CouponId)).Status);
        Assert.Equal(CouponStatus.Claimed, (await ClaimAsync(ann, dropped.CouponId)).Status);
        var third = await ClaimAsync(ann, dropped.CouponId);
        Assert.Equal(CouponStatus.LimitExceeded, third.Status);
        Assert.Contains("at most 2", third.Reason);
        Assert.Equal(CouponStatus.Claimed, (await ClaimAsync(bob, dropped.CouponId)).Status);
        Assert.Equal(CouponStatus.Gone, (await ClaimAsync(carl, dropped.CouponId)).Status);

        // The count is paced, and the last one shown is the ledger's.
        await coupons.NextMatchingAsync(c => c.CouponId == dropped.CouponId && c.Remaining == 0);
        // A late joiner sees the coupon in its snapshot, after nextShowAt.
        await using var late = host.Connect(protocol, Viewer("dan"));
        await late.StartAsync(Ct);
        var snapshot = await late.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        var listed = Assert.Single(snapshot.Coupons);
        Assert.Equal((dropped.CouponId, 0), (listed.CouponId, listed.Remaining));
        Assert.Equal(CouponStatus.Gone, (await ClaimAsync(late, dropped.CouponId)).Status);
    }

    [Fact]
    public async Task A_coupon_expires_and_drops_out_of_the_snapshot()
    {
        await using var host = await ChatTestHost.StartAsync();
        await using var seller = await Buyers.JoinedAsync(host, "json", ChatTestHost.HostKey);
        await using var viewer = await Buyers.JoinedAsync(host, "json");
        var dropped = await DropAsync(seller, new CouponRequest { PercentOff = 10, Sku = "LIP-1", Quantity = 10, DurationSeconds = 10 });
        Assert.Equal(CouponStatus.Claimed, (await ClaimAsync(viewer, dropped.CouponId)).Status);
        await Task.Delay(dropped.EndsAt - DateTime.UtcNow + TimeSpan.FromMilliseconds(300), Ct);
        await using var other = await Buyers.JoinedAsync(host, "json");
        var expired = await ClaimAsync(other, dropped.CouponId);
        Assert.Equal(CouponStatus.Expired, expired.Status);
        var snapshot = await other.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        Assert.Empty(snapshot.Coupons);

        // A claim made in time still applies after the coupon's end (the end closes claims, not purchases).
        await seller.InvokeAsync("Pin", "LIP-1", Ct);
        var bought = await BuyAsync(viewer, "LIP-1", 1, "after-end", dropped.CouponId);
        Assert.Equal((PurchaseStatus.Reserved, 199L), (bought.Status, bought.DiscountCents ?? -1));
    }

    [Theory, MemberData(nameof(Common.Hosts.Hub.Protocols), MemberType = typeof(Common.Hosts.Hub))]
    public async Task Three_hundred_viewers_claiming_a_coupon_of_a_hundred_at_once_get_exactly_a_hundred(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync(Guests.Unlimited());
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        var viewers = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => Buyers.JoinedAsync(host, protocol)));
        try
        {
            var dropped = await DropAsync(seller, new CouponRequest { DiscountCents = 100, Quantity = 100, DurationSeconds = 60 });
            var inbox = new EventInbox<CouponView>(viewers[0], "coupon");
            var answers = await Task.WhenAll(viewers.Select(v => ClaimAsync(v, dropped.CouponId)));
            Assert.Equal(100, answers.Count(a => a.Status == CouponStatus.Claimed));
            Assert.Equal(200, answers.Count(a => a.Status == CouponStatus.Gone));
            await inbox.NextMatchingAsync(c => c.Remaining == 0);
        }
        finally
        {
            foreach (var v in viewers) await v.DisposeAsync();
        }
    }

    [Theory, MemberData(nameof(Common.Hosts.Hub.Protocols), MemberType = typeof(Common.Hosts.Hub))]
    public async Task A_claimed_coupon_discounts_one_purchase_reaches_the_order_api_and_comes_back_when_the_order_fails(string protocol)
    {
        await using var api = await ScriptedOrderApi.StartAsync();
        var refuse = 0;
        api.Script = _ => Volatile.Read(ref refuse) == 1 ? new ScriptedAnswer(422) : ScriptedAnswer.Created();
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Auth:ViewerJwtKey"] = JwtKey,
            ["Relay:Orders:Endpoint"] = api.Endpoint.ToString(),
        });
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        await using var ann = await Buyers.JoinedAsync(host, protocol, Viewer("ann"));
        await using var bob = await Buyers.JoinedAsync(host, protocol, Viewer("bob"));
        await seller.InvokeAsync("Pin", "LIP-1", Ct);
        var percent = await DropAsync(seller, new CouponRequest { PercentOff = 15, MinSpendCents = 3000, Sku = "LIP-1", Quantity = 10, DurationSeconds = 60 });
        var amount = await DropAsync(seller, new CouponRequest { DiscountCents = 5000, Quantity = 10, DurationSeconds = 60 });

        // Not claimed yet, unknown, below the minimum, another product: refused `invalid: couponId ...`, nothing reserved.
        async Task Refused(HubConnection who, string sku, int quantity, string? couponId, string expected)
        {
            var refused = await BuyAsync(who, sku, quantity, Guid.NewGuid().ToString("N"), couponId);
            Assert.Equal(PurchaseStatus.Invalid, refused.Status);
            Assert.Null(refused.OrderId);
            Assert.StartsWith("couponId " + expected, refused.Reason);
        }
        await Refused(ann, "LIP-1", 2, percent.CouponId, "is not claimed by you");
        Assert.Equal(CouponStatus.Claimed, (await ClaimAsync(ann, percent.CouponId)).Status);
        Assert.Equal(CouponStatus.Claimed, (await ClaimAsync(ann, amount.CouponId)).Status);
        await Refused(ann, "LIP-1", 2, "cp_nope", "is not a coupon of this channel");
        await Refused(ann, "LIP-1", 1, percent.CouponId, "needs a subtotal of at least 3000");
        await Refused(bob, "LIP-1", 2, percent.CouponId, "is not claimed by you");
        await seller.InvokeAsync("Pin", "SER-1", Ct);
        await Refused(ann, "SER-1", 1, percent.CouponId, "is only for LIP-1");
        Assert.Empty(await Buyers.ChannelOrdersAsync(host));

        // 15 % of 2 x 19.99 = 5.997, floored: 5.99 off. An amount never takes more than the subtotal.
        await seller.InvokeAsync("Pin", "LIP-1", Ct);
        var bought = await BuyAsync(ann, "LIP-1", 2, "with-percent", percent.CouponId);
        Assert.Equal((PurchaseStatus.Reserved, 1999L, 599L), (bought.Status, bought.UnitPriceCents ?? 0, bought.DiscountCents ?? 0));
        // Same key, same answer; the claim is used once.
        Assert.Equal(bought.OrderId, (await BuyAsync(ann, "LIP-1", 2, "with-percent", percent.CouponId)).OrderId);
        await Refused(ann, "LIP-1", 2, percent.CouponId, "is not claimed by you, or your claim was used already");
        var capped = await BuyAsync(ann, "LIP-1", 1, "with-amount", amount.CouponId);
        Assert.Equal((PurchaseStatus.Reserved, 1999L), (capped.Status, capped.DiscountCents ?? 0));
        var plain = await BuyAsync(ann, "LIP-1", 1, "plain", null);
        Assert.Equal((PurchaseStatus.Reserved, 0L), (plain.Status, plain.DiscountCents ?? -1));

        await Eventually.TrueAsync(() => Task.FromResult(api.Orders.Count == 3), "three orders delivered", TimeSpan.FromSeconds(20), Ct);
        var sent = api.Orders.Values.ToDictionary(o => o.OrderId);
        Assert.Equal((percent.CouponId, (long?)599), (sent[bought.OrderId!].CouponId, sent[bought.OrderId!].DiscountCents));
        Assert.Equal((amount.CouponId, (long?)1999), (sent[capped.OrderId!].CouponId, sent[capped.OrderId!].DiscountCents));
        Assert.Equal((null, null), (sent[plain.OrderId!].CouponId, sent[plain.OrderId!].DiscountCents));
        // The body leaves the v2 fields out of an order without a coupon.
        var items = await OrderItemsAsync(host);
        Assert.Equal(599, items.Single(i => i.GetProperty("orderId").GetString() == bought.OrderId).GetProperty("discountCents").GetInt64());
        Assert.Equal(percent.CouponId, items.Single(i => i.GetProperty("orderId").GetString() == bought.OrderId).GetProperty("couponId").GetString());
        Assert.False(items.Single(i => i.GetProperty("orderId").GetString() == plain.OrderId).TryGetProperty("couponId", out _));

        // A 422 fails the order for good and gives the claim back: it buys again.
        Assert.Equal(CouponStatus.Claimed, (await ClaimAsync(bob, amount.CouponId)).Status);
        Volatile.Write(ref refuse, 1);
        var failing = await BuyAsync(bob, "LIP-1", 1, "bob-1", amount.CouponId);
        Assert.Equal(PurchaseStatus.Reserved, failing.Status);
        await Buyers.WaitForOrdersAsync(host, o => o.Any(x => x.OrderId == failing.OrderId && x.Status == "failed"));
        Volatile.Write(ref refuse, 0);
        var again = await BuyAsync(bob, "LIP-1", 1, "bob-2", amount.CouponId);
        Assert.Equal((PurchaseStatus.Reserved, 1999L), (again.Status, again.DiscountCents ?? 0));
        await Refused(bob, "LIP-1", 1, amount.CouponId, "is not claimed by you, or your claim was used already");
    }

    private static async Task<List<JsonElement>> OrderItemsAsync(ChatTestHost host)
    {
        using var http = host.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/channels/{ChatTestHost.Channel}/orders");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", InMemoryChannelDirectory.AdminToken);
        using var response = await http.SendAsync(request, Ct);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var root = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement : doc.RootElement.GetProperty("items");
        return [.. root.EnumerateArray().Select(e => e.Clone())];
    }
}
