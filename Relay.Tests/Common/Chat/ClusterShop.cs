using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Hosts;
using Hub = Relay.Tests.Common.Hosts.Hub;

namespace Relay.Tests.Common.Chat;

/// <summary>The shop side of the cluster commerce tests: the line-up on every node, a flash sale, the shared orders.</summary>
internal static class ClusterShop
{
    public const string Sku = "SALE-1";

    /// <summary>A second product, unlimited, bought while pinned (per-sku caps).</summary>
    public const string PinnedSku = "PIN-1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Two unlimited products, PUT on every node (each node's catalog may be its own until the catalog is shared).</summary>
    public static async Task PutLineupAsync(ClusterTestBed bed)
    {
        foreach (var node in bed.Nodes)
        {
            using var admin = node.Admin();
            using var put = await admin.PutAsync("/api/v1/channels/demo/lineup",
                RelayServerTest.JsonBody($$"""[{"sku":"{{Sku}}","title":"Sale item","priceCents":1000,"currency":"USD"},{"sku":"{{PinnedSku}}","title":"Pinned item","priceCents":800,"currency":"USD"}]"""), Ct);
            put.EnsureSuccessStatusCode();
        }
    }

    /// <summary>Starts a flash sale from <paramref name="node"/> as the admin; the connection is closed after.</summary>
    public static async Task StartFlashSaleAsync(ClusterTestNode node, int quantity)
    {
        await using var seller = Hub.Build(new Uri(node.BaseUrl, "/hubs/live?access_token=" + ChildRelay.AdminToken), "json");
        await seller.StartAsync(Ct);
        await seller.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), Ct);
        await seller.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = Sku, PriceCents = 500, Quantity = quantity, DurationSeconds = 600 }, Ct);
    }

    /// <summary>Pins <paramref name="sku"/> in <paramref name="node"/>'s room (the pin is each node's own until room state is shared).</summary>
    public static async Task PinAsync(ClusterTestNode node, string sku)
    {
        await using var seller = Hub.Build(new Uri(node.BaseUrl, "/hubs/live?access_token=" + ChildRelay.AdminToken), "json");
        await seller.StartAsync(Ct);
        await seller.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), Ct);
        await seller.InvokeAsync("Pin", sku, Ct);
    }

    /// <summary>A joined hub connection to <paramref name="node"/> (token: a viewer JWT, or none for a guest).</summary>
    public static async Task<HubConnection> JoinAsync(ClusterTestNode node, string protocol, string? token = null, string? name = null)
    {
        var url = new Uri(node.BaseUrl, token is null ? "/hubs/live" : "/hubs/live?access_token=" + Uri.EscapeDataString(token));
        var connection = Hub.Build(url, protocol);
        await connection.StartAsync(Ct);
        await connection.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = name }, Ct);
        return connection;
    }

    /// <summary>The relay's order list as <paramref name="node"/> answers it (the shared outbox).</summary>
    public static async Task<List<Buyers.ChannelOrder>> OrdersAsync(ClusterTestNode node)
    {
        using var admin = node.Admin();
        return (await admin.GetFromJsonAsync<List<Buyers.ChannelOrder>>("/api/v1/channels/demo/orders", Ct))!;
    }

    public static async Task<long> ScalarAsync(ClusterTestBed bed, string sql)
    {
        await using var connection = new NpgsqlConnection(bed.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<List<(string OrderId, long LeaseUntil)>> LeasedByAsync(ClusterTestBed bed, string node)
    {
        await using var connection = new NpgsqlConnection(bed.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            "SELECT order_id, lease_until FROM orders_orders WHERE status = 'pending' AND lease_owner = $1 AND lease_until > $2;", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = node });
        command.Parameters.Add(new NpgsqlParameter { Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() });
        var leased = new List<(string, long)>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct)) leased.Add((reader.GetString(0), reader.GetInt64(1)));
        return leased;
    }
}
