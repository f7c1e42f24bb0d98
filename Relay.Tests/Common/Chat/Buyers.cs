using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Common.Chat;

/// <summary>Helpers shared by the purchase and dispatch tests.</summary>
public static class Buyers
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<HubConnection> JoinedAsync(ChatTestHost host, string protocol, string? token = null, string? name = null, string? referrer = null, string channel = ChatTestHost.Channel)
    {
        var connection = host.Connect(protocol, token);
        await connection.StartAsync(Ct);
        await connection.InvokeAsync<JoinSnapshot>("Join", channel, new JoinOptions { DisplayName = name, Referrer = referrer }, Ct);
        return connection;
    }

    public static Task<PurchaseResult> BuyAsync(this HubConnection connection, string sku, int quantity, string key) =>
        connection.InvokeAsync<PurchaseResult>("Purchase", new PurchaseRequest { Sku = sku, Quantity = quantity, IdempotencyKey = key }, Ct);

    public static async Task<List<ChannelOrder>> ChannelOrdersAsync(ChatTestHost host, string channel = ChatTestHost.Channel)
    {
        using var http = host.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/channels/{channel}/orders");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", InMemoryChannelDirectory.AdminToken);
        using var response = await http.SendAsync(request, Ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<List<ChannelOrder>>(Ct))!;
    }

    /// <summary>Polls the relay's order list until <paramref name="done"/> holds.</summary>
    public static async Task<List<ChannelOrder>> WaitForOrdersAsync(ChatTestHost host, Func<List<ChannelOrder>, bool> done, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var orders = await ChannelOrdersAsync(host);
            if (done(orders)) return orders;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("orders never reached the expected state: " + string.Join(", ", orders.Select(o => $"{o.OrderId}={o.Status}/{o.Attempts}")));
            await Task.Delay(50, Ct);
        }
    }

    public sealed record ChannelOrder(string OrderId, string Status, string Sku, int Quantity, long UnitPriceCents, string Currency,
        string BuyerId, string? Referrer, DateTimeOffset CreatedAt, bool FlashSale, int Attempts, string? LastError)
    {
        public bool MemberPrice { get; init; }
    }
}
