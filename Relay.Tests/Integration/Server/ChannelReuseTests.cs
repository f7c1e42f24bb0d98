using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Relay.Chat.Contracts;
using Relay.Chat.Orders;
using Relay.Chat.Ledger;
using Relay.Chat.Purchases;
using Relay.Ingest.Consumers.Recording;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Integration.Server;

/// <summary>
/// Review M11: a channel deleted and created again under the same id (ids are human slugs, reuse is likely) starts
/// with none of the old channel's orders, idempotency keys, stock counts or recordings. The old data is archived,
/// not lost: recordings move to <c>recordings/.deleted/</c>, orders keep their original channel id on the wire.
/// </summary>
public sealed class ChannelReuseTests
{
    private const string JwtKey = "channel-reuse-tests-jwt-key-0123456789abcdef";
    private const string Lineup = """[{"sku":"TEE-001","title":"Tee","priceCents":1500,"currency":"USD","stock":5}]""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_recreated_channel_id_inherits_no_orders_keys_stock_or_recordings()
    {
        FfmpegAvailability.SkipIfMissing();
        await using var server = await RelayTestServer.StartAsync($"--Relay:Auth:ViewerJwtKey={JwtKey}");
        using var admin = server.AdminClient();
        var alice = Chat.PurchaseTests.Token("alice", "Alice", DateTime.UtcNow.AddMinutes(10), JwtKey);

        // The old show: sells 2 of 5 to Alice and records a session.
        var first = await CreateAsync(admin);
        string oldOrderId;
        await using (var host = await JoinedAsync(server, first.HostKey))
        await using (var buyer = await JoinedAsync(server, alice))
        {
            await host.InvokeAsync("Pin", "TEE-001", Ct);
            var bought = await buyer.InvokeAsync<PurchaseResult>("Purchase", new PurchaseRequest { Sku = "TEE-001", Quantity = 2, IdempotencyKey = "k1" }, Ct);
            Assert.Equal(PurchaseStatus.Reserved, bought.Status);
            oldOrderId = bought.OrderId!;
        }
        var recordings = server.App.Services.GetRequiredService<RecordingService>();
        using (var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{first.StreamKey}", seconds: 2))
        {
            Assert.True(await publisher.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        }
        await PollAsync(() => recordings.List("spring-show") is [{ InProgress: false }], "the old show's recording finished");
        using (var oldHost = server.Client(first.HostKey))
        {
            Assert.Single((await GetJsonAsync(oldHost, "/api/v1/channels/spring-show/orders")).EnumerateArray());
        }

        // Deleted, and created again for another brand.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/channels/spring-show", Ct)).StatusCode);
        var second = await CreateAsync(admin);
        using var newHost = server.Client(second.HostKey);

        Assert.Empty((await GetJsonAsync(newHost, "/api/v1/channels/spring-show/orders")).EnumerateArray());
        Assert.Empty((await GetJsonAsync(newHost, "/api/v1/channels/spring-show/recordings")).EnumerateArray());
        var archived = Directory.GetDirectories(Path.Combine(recordings.RootDirectory, RecordingService.DeletedFolder), "spring-show-*");
        Assert.Single(Directory.GetFiles(Assert.Single(archived), "*.flv"));

        // Alice's idempotency key of the old show is not a duplicate here, and the stock is the new show's own.
        await using (var host = await JoinedAsync(server, second.HostKey))
        await using (var buyer = await JoinedAsync(server, alice))
        {
            var snapshot = await buyer.InvokeAsync<JoinSnapshot>("Join", "spring-show", new JoinOptions(), Ct);
            Assert.Equal(5, snapshot.Lineup.Single().Stock);
            await host.InvokeAsync("Pin", "TEE-001", Ct);
            var bought = await buyer.InvokeAsync<PurchaseResult>("Purchase", new PurchaseRequest { Sku = "TEE-001", Quantity = 1, IdempotencyKey = "k1" }, Ct);
            Assert.Equal(PurchaseStatus.Reserved, bought.Status);
            Assert.NotEqual(oldOrderId, bought.OrderId);
        }
        var orders = await GetJsonAsync(newHost, "/api/v1/channels/spring-show/orders");
        Assert.Equal(1, Assert.Single(orders.EnumerateArray()).GetProperty("quantity").GetInt32());
    }

    [Fact]
    public void An_archived_order_still_names_its_original_channel_to_the_order_api()
    {
        var archiveId = ArchivedChannelId.For("spring-show", DateTimeOffset.UtcNow);
        Assert.NotEqual("spring-show", archiveId);
        Assert.False(Relay.Server.Channels.InputRules.IsValidId(archiveId));
        var order = new OrderRecord("ord_1", archiveId, "TEE-001", 1, 100, "USD", "user_a", "A", null, false, "pending", 0, null, DateTimeOffset.UtcNow);
        Assert.Equal("spring-show", OrderApiRequest.From(order).ChannelId);
    }

    private static async Task<(string StreamKey, string HostKey)> CreateAsync(HttpClient admin)
    {
        using var created = await admin.PostAsync("/api/v1/channels", RelayServerTest.JsonBody("""{"id":"spring-show","title":"Spring show"}"""), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync(Ct)).RootElement;
        using var lineup = await admin.PutAsync("/api/v1/channels/spring-show/lineup", RelayServerTest.JsonBody(Lineup), Ct);
        Assert.Equal(HttpStatusCode.OK, lineup.StatusCode);
        return (body.GetProperty("streamKey").GetString()!, body.GetProperty("hostKey").GetString()!);
    }

    private static async Task<HubConnection> JoinedAsync(RelayTestServer server, string token)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "/hubs/live"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        await connection.StartAsync(Ct);
        await connection.InvokeAsync<JoinSnapshot>("Join", "spring-show", new JoinOptions(), Ct);
        return connection;
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();
    }

    private static async Task PollAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what);
            await Task.Delay(100, Ct);
        }
    }
}
