using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Chat;

/// <summary>
/// The outbox must survive `kill -9`: the relay runs in a child process (this test assembly started with
/// <see cref="ChildChatHost.Switch"/>), is killed while orders are mid-retry or mid-request,
/// and a second process on the same SQLite file must deliver every reserved order exactly once in effect.
/// </summary>
public sealed class CrashRestartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Orders_reserved_before_a_kill_9_reach_the_order_API_exactly_once_after_restart()
    {
        await using var api = await ScriptedOrderApi.StartAsync();
        var phase = 1;
        // Phase 1: even buyers' orders get 503 (mid-retry at the kill), odd buyers' orders are taken but the answer
        // stalls (the relay dies not knowing). Phase 2: the API is healthy.
        api.Script = call => phase == 2 ? ScriptedAnswer.Created()
            : int.Parse(call.Order.BuyerName[1..]) % 2 == 0 ? new ScriptedAnswer(503)
            : ScriptedAnswer.Created() with { Stall = TimeSpan.FromSeconds(60) };
        var dataDir = Directory.CreateTempSubdirectory("relay-crash-").FullName;
        ChildChatHost? first = null, second = null;
        try
        {
            first = await ChildChatHost.StartAsync(dataDir, api.Endpoint);
            var reserved = new List<string>();
            await using (var seller = Hub.Build(new Uri(first.BaseAddress, "/hubs/live?access_token=" + ChatTestHost.HostKey), "json"))
            {
                await seller.StartAsync(Ct);
                await seller.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
                await seller.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "LIP-1", PriceCents = 800, Quantity = 8, DurationSeconds = 600 }, Ct);
                for (var i = 0; i < 10; i++)
                {
                    await using var buyer = Hub.Build(new Uri(first.BaseAddress, "/hubs/live"), "json");
                    await buyer.StartAsync(Ct);
                    await buyer.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions { DisplayName = $"b{i}" }, Ct);
                    var result = await buyer.InvokeAsync<PurchaseResult>("Purchase", new PurchaseRequest { Sku = "LIP-1", Quantity = 1, IdempotencyKey = "k" }, Ct);
                    if (result.Status == PurchaseStatus.Reserved) reserved.Add(result.OrderId!);
                }
            }
            Assert.Equal(8, reserved.Count);

            // Kill only once every order is in flight: 503'd ones retried at least twice, taken ones stalled.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!reserved.All(id => api.Attempts.TryGetValue(id, out var n) && (api.Taken.ContainsKey(id) ? n >= 1 : n >= 2)))
            {
                Assert.True(DateTime.UtcNow < deadline, "orders never reached the order API before the kill: "
                    + string.Join(", ", reserved.Select(id => $"{id}={api.Attempts.GetValueOrDefault(id)}/{api.Taken.ContainsKey(id)}")));
                await Task.Delay(20, Ct);
            }
            var takenBeforeKill = api.Taken.Keys.ToHashSet();
            Assert.Equal(4, takenBeforeKill.Count);
            first.Kill();

            phase = 2;
            second = await ChildChatHost.StartAsync(dataDir, api.Endpoint);
            using var http = new HttpClient { BaseAddress = second.BaseAddress };
            http.DefaultRequestHeaders.Authorization = new("Bearer", InMemoryChannelDirectory.AdminToken);
            var confirmedAt = DateTime.UtcNow.AddSeconds(30);
            List<Buyers.ChannelOrder> orders;
            while (true)
            {
                orders = (await http.GetFromJsonAsync<List<Buyers.ChannelOrder>>($"/api/v1/channels/{ChatTestHost.Channel}/orders", Ct))!;
                if (orders.Count == 8 && orders.All(o => o.Status == "confirmed")) break;
                Assert.True(DateTime.UtcNow < confirmedAt, "not all orders confirmed after restart: " + string.Join(", ", orders.Select(o => o.Status)));
                await Task.Delay(50, Ct);
            }

            Assert.Equal(reserved.Order(), api.Taken.Keys.Order());
            Assert.All(api.Taken.Values, times => Assert.Equal(1, times));
            Assert.Empty(api.Problems);
            // The orders taken before the kill were sent again with the same key and not taken twice.
            Assert.All(takenBeforeKill, id => Assert.True(api.Attempts[id] >= 2));
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
