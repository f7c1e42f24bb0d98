using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Chat;

/// <summary>Share codes (issue 16): stable per buyer across reconnects and restarts, visits counted once per visitor,
/// orders attributed, and `GET /api/v1/channels/{id}/referrals` with its paging and refusals.</summary>
public sealed class ShareCodeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string JwtKey = "viewer-jwt-key-for-tests-0123456789abcdef";

    private static string Viewer(string sub) => PurchaseTests.Token(sub, sub.ToUpperInvariant(), DateTime.UtcNow.AddMinutes(30));

    private static async Task<string?> CodeAsync(ChatTestHost host, string protocol, string? token, string? referrer = null)
    {
        await using var c = await Buyers.JoinedAsync(host, protocol, token, referrer: referrer);
        return (await c.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions { Referrer = referrer }, Ct)).You!.ShareCode;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReferralsAsync(ChatTestHost host, string query = "", string? bearer = ChatTestHost.HostKey, string channel = ChatTestHost.Channel)
    {
        using var http = host.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/channels/{channel}/referrals{query}");
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await http.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Share_codes_are_stable_visits_count_once_per_visitor_and_referrals_add_up_across_a_restart(string protocol)
    {
        var dataDir = Directory.CreateTempSubdirectory("relay-share-codes-").FullName;
        var settings = new Dictionary<string, string?> { ["Relay:Auth:ViewerJwtKey"] = JwtKey };
        try
        {
            string codeA, codeB;
            await using (var host = await ChatTestHost.StartAsync(settings, dataDir: dataDir))
            {
                await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
                await seller.InvokeAsync("Pin", "LIP-1", Ct);
                Assert.Null((await seller.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct)).You!.ShareCode);

                codeA = (await CodeAsync(host, protocol, Viewer("a1")))!;
                Assert.Matches("^[a-z2-7]{10}$", codeA);
                Assert.Equal(codeA, await CodeAsync(host, protocol, Viewer("a1"))); // a reconnect
                codeB = (await CodeAsync(host, protocol, Viewer("b2")))!;
                Assert.NotEqual(codeA, codeB);
                // A guest with a guest token has one; a guest without (an id of one connection) has none.
                var guest = await Guests.MintAsync(host);
                var codeG = await CodeAsync(host, protocol, guest.GuestToken);
                Assert.Matches("^[a-z2-7]{10}$", codeG!);
                Assert.Equal(codeG, await CodeAsync(host, protocol, guest.GuestToken));
                Assert.Null(await CodeAsync(host, protocol, null));

                // Visits of A: viewer B twice (a reconnect), the guest, two tokenless guests from one address (one
                // visitor); A through its own link, an unknown code and a referrer that is no share code count nothing.
                await CodeAsync(host, protocol, Viewer("b2"), codeA);
                await CodeAsync(host, protocol, Viewer("b2"), codeA);
                await CodeAsync(host, protocol, guest.GuestToken, codeA);
                await CodeAsync(host, protocol, null, codeA);
                await CodeAsync(host, protocol, null, codeA);
                await CodeAsync(host, protocol, Viewer("a1"), codeA);
                await CodeAsync(host, protocol, Viewer("c3"), "zzzzzzzzzz");
                await CodeAsync(host, protocol, Viewer("c3"), "creator-7");
                // And one of B: C.
                await CodeAsync(host, protocol, Viewer("c3"), codeB);

                // B buys through A's link: the order carries A's code.
                await using (var b = await Buyers.JoinedAsync(host, protocol, Viewer("b2"), referrer: codeA))
                {
                    var bought = await b.BuyAsync("LIP-1", 2, "k1");
                    Assert.Equal(PurchaseStatus.Reserved, bought.Status);
                }
                var orders = await Buyers.WaitForOrdersAsync(host, o => o.Count == 1 && o[0].Status == "confirmed");
                Assert.Equal(codeA, orders[0].Referrer);
            }

            await using (var host = await ChatTestHost.StartAsync(settings, dataDir: dataDir))
            {
                // The same code after a restart, and the visits kept (B again is no new visit in the same show).
                Assert.Equal(codeA, await CodeAsync(host, protocol, Viewer("a1")));
                await CodeAsync(host, protocol, Viewer("b2"), codeA);

                var (status, all) = await ReferralsAsync(host);
                Assert.Equal(HttpStatusCode.OK, status);
                var lines = all.EnumerateArray().ToDictionary(l => l.GetProperty("shareCode").GetString()!);
                Assert.Equal(2, lines.Count);
                var a = lines[codeA];
                Assert.Equal(("user_a1", 3, 1, 1, 2, 3998L),
                    (a.GetProperty("sharerId").GetString(), a.GetProperty("visits").GetInt32(), a.GetProperty("buyers").GetInt32(),
                     a.GetProperty("orders").GetInt32(), a.GetProperty("units").GetInt32(), a.GetProperty("gmvCents").GetInt64()));
                var bLine = lines[codeB];
                Assert.Equal(("user_b2", 1, 0, 0L), (bLine.GetProperty("sharerId").GetString(), bLine.GetProperty("visits").GetInt32(),
                    bLine.GetProperty("orders").GetInt32(), bLine.GetProperty("gmvCents").GetInt64()));

                // Paged like the other lists: one per page, in share-code order.
                var (_, first) = await ReferralsAsync(host, "?limit=1", InMemoryChannelDirectory.AdminToken);
                var cursor = first.GetProperty("nextCursor").GetString()!;
                var (_, second) = await ReferralsAsync(host, "?limit=1&cursor=" + Uri.EscapeDataString(cursor));
                var paged = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray())
                    .Select(l => l.GetProperty("shareCode").GetString()).ToList();
                Assert.Equal(new[] { codeA, codeB }.Order(StringComparer.Ordinal), paged);
                Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);

                // Refusals: bad paging, no credential, another channel's host key, an unknown channel.
                Assert.Equal(HttpStatusCode.BadRequest, (await ReferralsAsync(host, "?limit=0")).Status);
                Assert.Equal(HttpStatusCode.BadRequest, (await ReferralsAsync(host, "?limit=5&cursor=%%%")).Status);
                Assert.Equal(HttpStatusCode.Unauthorized, (await ReferralsAsync(host, bearer: null)).Status);
                Assert.Equal(HttpStatusCode.Forbidden, (await ReferralsAsync(host, bearer: "host-key-show2-abcdefghijklmnop")).Status);
                Assert.Equal(HttpStatusCode.NotFound, (await ReferralsAsync(host, bearer: InMemoryChannelDirectory.AdminToken, channel: "nope")).Status);
            }
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
