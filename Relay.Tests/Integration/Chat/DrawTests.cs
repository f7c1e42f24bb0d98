using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Tests.Common;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;
using HubException = Microsoft.AspNetCore.SignalR.HubException;

namespace Relay.Tests.Integration.Chat;

/// <summary>Issue 16: draws (福袋/抽奖) over real SignalR clients, a real order API, and a killed child Relay.</summary>
public sealed class DrawTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HubConnection> GuestAsync(Uri baseAddress, string protocol, string name, string channel = ChatTestHost.Channel)
    {
        using var http = new HttpClient { BaseAddress = baseAddress };
        using var minted = await http.PostAsync("/api/v1/guests", null, Ct);
        minted.EnsureSuccessStatusCode();
        var guest = (await minted.Content.ReadFromJsonAsync<Guests.Minted>(Ct))!;
        var connection = Hub.Build(new Uri(baseAddress, "/hubs/live?access_token=" + Uri.EscapeDataString(guest.GuestToken)), protocol);
        await connection.StartAsync(Ct);
        await connection.InvokeAsync<JoinSnapshot>("Join", channel, new JoinOptions { DisplayName = name }, Ct);
        return connection;
    }

    private static async Task<HubConnection> SellerAsync(Uri baseAddress, string protocol)
    {
        var seller = Hub.Build(new Uri(baseAddress, "/hubs/live?access_token=" + ChatTestHost.HostKey), protocol);
        await seller.StartAsync(Ct);
        await seller.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        return seller;
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task A_draw_of_3_among_50_entrants_is_recomputable_and_gives_each_winner_one_prize_order(string protocol)
    {
        await using var api = await ScriptedOrderApi.StartAsync();
        await using var host = await ChatTestHost.StartAsync(Guests.Unlimited(new() { ["Relay:Orders:Endpoint"] = api.Endpoint.ToString() }));
        await using var seller = await SellerAsync(host.BaseAddress, protocol);
        var draws = new EventInbox<DrawView>(seller, "draw");
        var results = new EventInbox<DrawResultView>(seller, "drawResult");
        var viewers = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => GuestAsync(host.BaseAddress, protocol, $"fan{i:D2}")));
        try
        {
            await seller.InvokeAsync("StartDraw", new DrawRequest { Sku = "SER-1", Winners = 3, DurationSeconds = 10 }, Ct);
            var started = await draws.NextAsync();
            Assert.Equal(("SER-1", 3, "none", 0, true), (started.Sku, started.Winners, started.Requires, started.Entrants, started.Active));
            Assert.Matches("^[0-9a-f]{64}$", started.Commitment);
            await Assert.ThrowsAsync<HubException>(() => seller.InvokeAsync("StartDraw", new DrawRequest { Sku = "SER-1", Winners = 1, DurationSeconds = 10 }, Ct));

            var answers = await Task.WhenAll(viewers.Select(v => v.InvokeAsync<DrawEntryResult>("EnterDraw", Ct)));
            Assert.All(answers, a => Assert.Equal(DrawEntryStatus.Entered, a.Status));
            // A repeat is answered entered but not counted again.
            var again = await viewers[7].InvokeAsync<DrawEntryResult>("EnterDraw", Ct);
            Assert.Equal((DrawEntryStatus.Entered, "already entered"), (again.Status, again.Reason));
            Assert.Equal(50, (await draws.NextMatchingAsync(d => d.Entrants == 50)).Entrants);
            Assert.Equal(DrawEntryStatus.NotEligible, (await seller.InvokeAsync<DrawEntryResult>("EnterDraw", Ct)).Status);

            var result = await results.NextAsync(seconds: 20);
            Assert.Equal((started.DrawId, 50, 3), (result.DrawId, result.Entrants, result.Winners.Count));
            Assert.Equal(started.Commitment, DrawCheck.Commitment(result.Seed));
            Assert.Equal(3, result.Winners.Select(w => w.UserId).Distinct().Count());

            // Late: closed.
            Assert.Equal(DrawEntryStatus.Closed, (await viewers[0].InvokeAsync<DrawEntryResult>("EnterDraw", Ct)).Status);

            using var http = host.Http();
            var (report, json) = await DrawCheck.FetchAsync(http, ChatTestHost.Channel, started.DrawId);
            Assert.Equal(("ended", 50, 3), (report.Status, report.Entrants, report.WinnerCount));
            Assert.Equal(report.EntrantIds!.Order(StringComparer.Ordinal), report.EntrantIds!);
            Assert.Equal(result.Winners.Select(w => w.UserId), DrawCheck.Recompute(report.Seed!, report.EntrantIds!, report.WinnerCount));
            Assert.Equal(result.Winners.Select(w => w.UserId), report.Winners!.Select(w => w.UserId));
            var (exit, output) = await DrawCheck.RunScriptAsync(json);
            Assert.True(exit == 0, output);
            // The script catches a forged winner.
            var forged = JsonNode.Parse(json)!;
            forged["winners"]![0]!["userId"] = report.EntrantIds!.First(id => result.Winners.All(w => w.UserId != id));
            Assert.Equal(1, (await DrawCheck.RunScriptAsync(forged.ToJsonString())).ExitCode);

            // Each winner's prize reaches the order API once: price 0, the draw's id, the draw's sku.
            await Eventually.TrueAsync(() => Task.FromResult(api.Taken.Count == 3), "3 prize orders taken", TimeSpan.FromSeconds(20), Ct);
            Assert.All(api.Taken.Values, n => Assert.Equal(1, n));
            var prizes = api.Orders.Values.ToList();
            Assert.All(prizes, o => Assert.Equal((started.DrawId, 0L, "SER-1", 1), (o.DrawId, o.UnitPriceCents, o.Sku, o.Quantity)));
            Assert.Equal(result.Winners.Select(w => w.DisplayName).Order(), prizes.Select(o => o.BuyerName).Order());

            // A late joiner sees the draw and its result.
            await using var late = await GuestAsync(host.BaseAddress, protocol, "late");
            var snapshot = await late.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
            Assert.Equal((started.DrawId, false), (snapshot.Draw!.DrawId, snapshot.Draw.Active));
            Assert.Equal(result.Winners.Select(w => w.UserId), snapshot.Draw.Result!.Winners.Select(w => w.UserId));
        }
        finally
        {
            await Task.WhenAll(viewers.Select(v => v.DisposeAsync().AsTask()));
        }
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task A_follow_draw_admits_only_signed_in_viewers_who_follow_the_channel(string protocol)
    {
        const string jwtKey = "viewer-jwt-key-for-tests-0123456789abcdef";
        await using var host = await ChatTestHost.StartAsync(Guests.Unlimited(new() { ["Relay:Auth:ViewerJwtKey"] = jwtKey }));
        await using var seller = await SellerAsync(host.BaseAddress, protocol);
        var expires = DateTime.UtcNow.AddMinutes(10);
        await using var fan = await Buyers.JoinedAsync(host, protocol, PurchaseTests.Token("fan-1", "Fan One", expires, jwtKey));
        await using var passerby = await Buyers.JoinedAsync(host, protocol, PurchaseTests.Token("walker-2", "Walker Two", expires, jwtKey));
        Assert.True((await fan.InvokeAsync<FollowResult>("Follow", Ct)).Following);

        await seller.InvokeAsync("StartDraw", new DrawRequest { Sku = "LIP-1", Winners = 1, DurationSeconds = 30, Requires = "follow" }, Ct);
        Assert.Equal(DrawEntryStatus.NotEligible, (await passerby.InvokeAsync<DrawEntryResult>("EnterDraw", Ct)).Status);
        Assert.Equal(DrawEntryStatus.Entered, (await fan.InvokeAsync<DrawEntryResult>("EnterDraw", Ct)).Status);
        // Following once the draw runs is enough: the requirement is read when the viewer enters.
        Assert.True((await passerby.InvokeAsync<FollowResult>("Follow", Ct)).Following);
        Assert.Equal(DrawEntryStatus.Entered, (await passerby.InvokeAsync<DrawEntryResult>("EnterDraw", Ct)).Status);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task A_message_draw_admits_only_who_chatted_and_bad_requests_change_nothing(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync(Guests.Unlimited());
        await using var seller = await SellerAsync(host.BaseAddress, protocol);
        await using var talker = await GuestAsync(host.BaseAddress, protocol, "talker");
        await using var quiet = await GuestAsync(host.BaseAddress, protocol, "quiet");
        await using var anonymous = await Buyers.JoinedAsync(host, protocol, name: "anon");
        var draws = new EventInbox<DrawView>(quiet, "draw");

        async Task Refused(string reason, DrawRequest request, HubConnection? who = null) =>
            Assert.StartsWith(reason, (await Assert.ThrowsAsync<HubException>(() => (who ?? seller).InvokeAsync("StartDraw", request, Ct))).Message);
        await Refused("invalid", new DrawRequest { Sku = "LIP-1", Winners = 0, DurationSeconds = 60 });
        await Refused("invalid", new DrawRequest { Sku = "LIP-1", Winners = 1001, DurationSeconds = 60 });
        await Refused("invalid", new DrawRequest { Sku = "LIP-1", Winners = 1, DurationSeconds = 9 });
        await Refused("invalid", new DrawRequest { Sku = "LIP-1", Winners = 1, DurationSeconds = 3601 });
        await Refused("invalid", new DrawRequest { Sku = "LIP-1", Winners = 1, DurationSeconds = 60, Requires = "dance" });
        await Refused("not_found", new DrawRequest { Sku = "NOPE", Winners = 1, DurationSeconds = 60 });
        await Refused("forbidden", new DrawRequest { Sku = "LIP-1", Winners = 1, DurationSeconds = 60 }, talker);
        Assert.Empty(draws.All);
        Assert.Equal(DrawEntryStatus.Closed, (await talker.InvokeAsync<DrawEntryResult>("EnterDraw", Ct)).Status);

        await seller.InvokeAsync("StartDraw", new DrawRequest { Sku = "LIP-1", Winners = 5, DurationSeconds = 10, Requires = "message" }, Ct);
        var started = await draws.NextAsync();
        Assert.Equal("message", started.Requires);
        await talker.InvokeAsync("SendMessage", "me please", Ct);
        await Task.Delay(200, Ct);
        Assert.Equal(DrawEntryStatus.Entered, (await talker.InvokeAsync<DrawEntryResult>("EnterDraw", Ct)).Status);
        Assert.Equal(DrawEntryStatus.NotEligible, (await quiet.InvokeAsync<DrawEntryResult>("EnterDraw", Ct)).Status);
        Assert.Equal(DrawEntryStatus.LoginRequired, (await anonymous.InvokeAsync<DrawEntryResult>("EnterDraw", Ct)).Status);

        var results = new EventInbox<DrawResultView>(quiet, "drawResult");
        var result = await results.NextAsync(seconds: 20);
        Assert.Equal(1, result.Entrants);
        Assert.Equal("talker", Assert.Single(result.Winners).DisplayName);
    }

    [Fact]
    public async Task A_draw_running_when_relay_is_killed_ends_after_the_restart_and_its_winners_get_one_order_each()
    {
        await using var api = await ScriptedOrderApi.StartAsync();
        var dataDir = Directory.CreateTempSubdirectory("relay-draw-crash-").FullName;
        ChildChatHost? first = null, second = null;
        try
        {
            first = await ChildChatHost.StartAsync(dataDir, api.Endpoint);
            string drawId;
            await using (var seller = await SellerAsync(first.BaseAddress, "json"))
            {
                var draws = new EventInbox<DrawView>(seller, "draw");
                await seller.InvokeAsync("StartDraw", new DrawRequest { Sku = "LIP-1", Winners = 2, DurationSeconds = 10 }, Ct);
                drawId = (await draws.NextAsync()).DrawId;
                for (var i = 0; i < 5; i++)
                {
                    await using var viewer = await GuestAsync(first.BaseAddress, "json", $"v{i}");
                    Assert.Equal(DrawEntryStatus.Entered, (await viewer.InvokeAsync<DrawEntryResult>("EnterDraw", Ct)).Status);
                }
            }
            first.Kill();
            // Down past the draw's end.
            await Task.Delay(TimeSpan.FromSeconds(10), Ct);
            Assert.Empty(api.Taken);

            second = await ChildChatHost.StartAsync(dataDir, api.Endpoint);
            using var http = new HttpClient { BaseAddress = second.BaseAddress };
            DrawCheck.Report? report = null;
            await Eventually.TrueAsync(async () => (report = (await DrawCheck.FetchAsync(http, ChatTestHost.Channel, drawId)).Report).Status == "ended",
                "the draw ended after the restart", TimeSpan.FromSeconds(20), Ct);
            Assert.Equal(5, report!.Entrants);
            Assert.Equal(report.Winners!.Select(w => w.UserId), DrawCheck.Recompute(report.Seed!, report.EntrantIds!, 2));
            await Eventually.TrueAsync(() => Task.FromResult(api.Taken.Count == 2), "2 prize orders taken", TimeSpan.FromSeconds(20), Ct);
            await Task.Delay(1000, Ct);
            Assert.Equal(2, api.Taken.Count);
            Assert.All(api.Taken.Values, n => Assert.Equal(1, n));
            Assert.All(api.Orders.Values, o => Assert.Equal((drawId, 0L), (o.DrawId, o.UnitPriceCents)));
        }
        finally
        {
            try
            {
                await TestHost.DisposeAllAsync(first, second);
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
            }
        }
    }
}
