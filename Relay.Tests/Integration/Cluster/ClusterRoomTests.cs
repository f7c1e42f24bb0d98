using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Integration.Chat;
using Hub = Relay.Tests.Common.Hosts.Hub;

namespace Relay.Tests.Integration.Cluster;

/// <summary>
/// The live room is one room across nodes (issue 14, docs/scale-out/rooms.md): child-process nodes on a real Redis and
/// PostgreSQL, real SignalR clients of both protocols (json on one node, messagepack on the next), the `demo` channel that
/// every node has. Room events reach every node's viewers in one order with increasing seq; what a late joiner needs
/// (pin, sale, recent messages, mutes) is in Redis; viewer counts are summed over the nodes.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterRoomTests
{
    private const string Channel = "demo";
    private const string JwtKey = "viewer-jwt-key-for-cluster-tests-0123456789";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Protocol(int node) => node % 2 == 0 ? "json" : "messagepack";

    private static async Task<HubConnection> ConnectAsync(ClusterTestNode node, string protocol, string? token = null)
    {
        var url = new Uri(node.BaseUrl, "/hubs/live" + (token is null ? "" : "?access_token=" + Uri.EscapeDataString(token)));
        var connection = Hub.Build(url, protocol);
        await connection.StartAsync(Ct);
        return connection;
    }

    private static Task<JoinSnapshot> JoinAsync(HubConnection connection, string name) =>
        connection.InvokeAsync<JoinSnapshot>("Join", Channel, new JoinOptions { DisplayName = name }, Ct);

    [Fact]
    public async Task Chat_from_three_nodes_reaches_every_node_in_one_order_with_increasing_seq()
    {
        await using var bed = await ClusterTestBed.StartAsync(nodes: 3);
        List<HubConnection> connections = [];
        try
        {
            List<EventInbox<ChatMessageView>> inboxes = [];
            for (var i = 0; i < 3; i++)
            {
                var viewer = await ConnectAsync(bed.Nodes[i], Protocol(i));
                inboxes.Add(new EventInbox<ChatMessageView>(viewer, "message"));
                connections.Add(viewer);
                await JoinAsync(viewer, $"Viewer {i}");
            }
            List<HubConnection> senders = [];
            for (var i = 0; i < 3; i++)
            {
                var sender = await ConnectAsync(bed.Nodes[i], Protocol(i + 1));
                connections.Add(sender);
                senders.Add(sender);
                await JoinAsync(sender, $"Sender {i}");
            }

            // Three senders on three nodes at once, five messages each (a connection's burst): 15 messages interleaved.
            await Task.WhenAll(senders.Select((sender, i) => Task.Run(async () =>
            {
                for (var m = 0; m < 5; m++) await sender.InvokeAsync("SendMessage", $"n{i} m{m}", Ct);
            }, Ct)));

            List<List<ChatMessageView>> seen = [];
            foreach (var inbox in inboxes)
            {
                List<ChatMessageView> got = [];
                while (got.Count < 15) got.Add(await inbox.NextAsync(15));
                seen.Add(got);
            }
            var order = seen[0].Select(m => m.Text).ToList();
            Assert.Equal(15, order.Distinct().Count());
            foreach (var got in seen)
            {
                Assert.Equal(order, got.Select(m => m.Text));
                Assert.Equal(seen[0].Select(m => m.Seq), got.Select(m => m.Seq));
                Assert.True(got.Zip(got.Skip(1)).All(p => p.Second.Seq > p.First.Seq), "seq increases: " + string.Join(", ", got.Select(m => m.Seq)));
            }
            // Each sender's own messages keep their order.
            for (var i = 0; i < 3; i++)
                Assert.Equal(Enumerable.Range(0, 5).Select(m => $"n{i} m{m}"), order.Where(t => t.StartsWith($"n{i} ", StringComparison.Ordinal)));
        }
        finally
        {
            foreach (var c in connections) await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_pin_a_flash_sale_and_messages_made_on_a_reach_b_as_events_and_late_joiners_on_b_and_c_in_their_snapshot()
    {
        await using var bed = await ClusterTestBed.StartAsync(nodes: 3);
        await using var host = await ConnectAsync(bed.Nodes[0], "json", ChildRelay.AdminToken);
        await using var onB = await ConnectAsync(bed.Nodes[1], "messagepack");
        var pinned = new EventInbox<PinnedEvent>(onB, "pinned");
        var sales = new EventInbox<FlashSaleView>(onB, "flashSale");
        var messages = new EventInbox<ChatMessageView>(onB, "message");
        await JoinAsync(host, "Host");
        var first = await JoinAsync(onB, "Early");

        await host.InvokeAsync("SendMessage", "welcome from a", Ct);
        await host.InvokeAsync("Pin", "MUG-002", Ct);
        await host.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "TEE-001", PriceCents = 999, Quantity = 5, DurationSeconds = 120 }, Ct);
        await host.InvokeAsync("SendMessage", "sale is on", Ct);

        var welcome = await messages.NextAsync();
        var pin = await pinned.NextAsync();
        var sale = await sales.NextAsync();
        var saleOn = await messages.NextAsync();
        Assert.Equal(("welcome from a", "MUG-002", "TEE-001", "sale is on"), (welcome.Text, pin.Sku, sale.Sku, saleOn.Text));
        Assert.Equal("Stream-proof mug", pin.Title);
        Assert.True(sale.Active);
        Assert.Equal((5, 5), (sale.Quantity, sale.Remaining));
        long[] seqs = [welcome.Seq, pin.Seq, sale.Seq, saleOn.Seq];
        Assert.Equal(seqs.Order(), seqs);
        Assert.Equal(4, seqs.Distinct().Count());
        Assert.True(welcome.Seq > first.Seq, $"events after the snapshot have a higher seq ({welcome.Seq} > {first.Seq})");

        // B's room was open; C's opens now, from what Redis holds.
        foreach (var node in new[] { bed.Nodes[1], bed.Nodes[2] })
        {
            await using var late = await ConnectAsync(node, node == bed.Nodes[1] ? "json" : "messagepack");
            var snapshot = await JoinAsync(late, "Late");
            Assert.Equal("MUG-002", snapshot.Pinned?.Sku);
            Assert.Equal("TEE-001", snapshot.FlashSale?.Sku);
            Assert.True(snapshot.FlashSale!.Active);
            Assert.Equal(["welcome from a", "sale is on"], snapshot.RecentMessages.Select(m => m.Text));
            Assert.Equal([welcome.Seq, saleOn.Seq], snapshot.RecentMessages.Select(m => m.Seq));
            // Viewer counts took seqs since (the joins): the snapshot is at least as new as the last message.
            Assert.True(snapshot.Seq >= saleOn.Seq, $"snapshot seq {snapshot.Seq} >= {saleOn.Seq}");
        }

        // Ended on A: every node ends it, and a late joiner no longer sees it.
        await host.InvokeAsync("EndFlashSale", Ct);
        var ended = await sales.NextAsync();
        Assert.False(ended.Active);
        Assert.True(ended.Seq > saleOn.Seq);
        await using var afterEnd = await ConnectAsync(bed.Nodes[2], "json");
        Assert.Null((await JoinAsync(afterEnd, "After")).FlashSale);
    }

    [Fact]
    public async Task Viewer_counts_are_summed_over_the_nodes_and_drop_when_a_nodes_viewers_leave()
    {
        await using var bed = await ClusterTestBed.StartAsync(nodes: 2);
        await using var watcher = await ConnectAsync(bed.Nodes[0], "json");
        var viewers = new EventInbox<ViewersEvent>(watcher, "viewers");
        await JoinAsync(watcher, "Watcher");
        Assert.Equal(1, (await viewers.NextMatchingAsync(v => v.Count == 1)).Count);

        List<HubConnection> onB = [];
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var viewer = await ConnectAsync(bed.Nodes[1], "messagepack");
                onB.Add(viewer);
                await JoinAsync(viewer, $"B{i}");
            }
            var four = await viewers.NextMatchingAsync(v => v.Count == 4, 15);
            Assert.True(four.Seq > 0);

            // A late joiner's snapshot counts both nodes too.
            await using var late = await ConnectAsync(bed.Nodes[0], "messagepack");
            Assert.Equal(5, (await JoinAsync(late, "Late")).Viewers);
            await late.StopAsync(Ct);

            foreach (var viewer in onB) await viewer.StopAsync(Ct);
            var one = await viewers.NextMatchingAsync(v => v.Count == 1, 15);
            Assert.True(one.Seq > four.Seq);
            await using var onAfter = await ConnectAsync(bed.Nodes[1], "json");
            Assert.Equal(2, (await JoinAsync(onAfter, "After")).Viewers);
        }
        finally
        {
            foreach (var viewer in onB) await viewer.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_message_deleted_and_a_viewer_muted_on_a_hold_on_b()
    {
        await using var bed = await ClusterTestBed.StartAsync(2, $"--Relay:Auth:ViewerJwtKey={JwtKey}");
        await using var host = await ConnectAsync(bed.Nodes[0], "messagepack", ChildRelay.AdminToken);
        var atHost = new EventInbox<ChatMessageView>(host, "message");
        await JoinAsync(host, "Host");
        var token = PurchaseTests.Token("42", "Mallory Example", DateTime.UtcNow.AddMinutes(10), JwtKey);
        await using var viewer = await ConnectAsync(bed.Nodes[1], "json", token);
        var deleted = new EventInbox<MessageDeletedEvent>(viewer, "messageDeleted");
        var you = (await JoinAsync(viewer, "Mallory")).You;

        await viewer.InvokeAsync("SendMessage", "spam from b", Ct);
        await viewer.InvokeAsync("SendMessage", "more spam", Ct);
        var spam = await atHost.NextMatchingAsync(m => m.Text == "spam from b");
        Assert.Equal(you.UserId, spam.UserId);

        await host.InvokeAsync("DeleteMessage", spam.Id, Ct);
        var gone = await deleted.NextAsync();
        Assert.Equal(spam.Id, gone.Id);
        Assert.True(gone.Seq > spam.Seq);
        await using var late = await ConnectAsync(bed.Nodes[1], "messagepack");
        Assert.Equal(["more spam"], (await JoinAsync(late, "Late")).RecentMessages.Select(m => m.Text));

        await host.InvokeAsync("Mute", spam.UserId, 300, Ct);
        // Published on a, applied on b when the bus hands it over: b refuses within moments (a message that slips
        // through before then is the race the bus allows, not a mute that failed).
        var refused = await RefusedWithinAsync(() => viewer.InvokeAsync("SendMessage", "still here", Ct));
        Assert.StartsWith("muted", refused.Message);

        // The same viewer on node a has the same display id there (one secret for the cluster): still muted.
        await using var again = await ConnectAsync(bed.Nodes[0], "messagepack", token);
        Assert.Equal(you.UserId, (await JoinAsync(again, "Mallory")).You.UserId);
        refused = await Assert.ThrowsAsync<HubException>(() => again.InvokeAsync("SendMessage", "from a now", Ct));
        Assert.StartsWith("muted", refused.Message);

        // Lifted on b: holds on a.
        await using var hostOnB = await ConnectAsync(bed.Nodes[1], "json", ChildRelay.AdminToken);
        await JoinAsync(hostOnB, "Host");
        await hostOnB.InvokeAsync("Mute", spam.UserId, 0, Ct);
        // Mute returns once b published the change; a applies it when the bus hands it over, a moment later (a loaded
        // machine took longer than the next call once): until then a still refuses, after it a sends.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                await again.InvokeAsync("SendMessage", "unmuted", Ct);
                break;
            }
            catch (HubException stillMuted) when (stillMuted.Message.StartsWith("muted", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250, Ct);
            }
        }
    }

    /// <summary>The refusal <paramref name="call"/> gets once the other node applied what makes it refuse; a call that
    /// still succeeds before then is tried again, for at most 10 s.</summary>
    private static async Task<HubException> RefusedWithinAsync(Func<Task> call)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                await call();
            }
            catch (HubException refused)
            {
                return refused;
            }
            Assert.True(DateTime.UtcNow < deadline, "the call was never refused");
            await Task.Delay(250, Ct);
        }
    }

    [Fact]
    public async Task A_purchase_on_a_changes_the_stock_viewers_on_b_see()
    {
        await using var bed = await ClusterTestBed.StartAsync(nodes: 2);
        await using var host = await ConnectAsync(bed.Nodes[0], "json", ChildRelay.AdminToken);
        await using var onB = await ConnectAsync(bed.Nodes[1], "messagepack");
        var stock = new EventInbox<StockEvent>(onB, "stock");
        await JoinAsync(host, "Host");
        Assert.Equal(20, (await JoinAsync(onB, "Watcher")).Lineup.Single(p => p.Sku == "CAP-003").Stock);
        await host.InvokeAsync("Pin", "CAP-003", Ct);

        await using var buyer = await ConnectAsync(bed.Nodes[0], "messagepack");
        await JoinAsync(buyer, "Buyer");
        var result = await buyer.InvokeAsync<PurchaseResult>("Purchase", new PurchaseRequest { Sku = "CAP-003", Quantity = 2, IdempotencyKey = "cluster-1" }, Ct);
        Assert.Equal(PurchaseStatus.Reserved, result.Status);

        var seen = await stock.NextMatchingAsync(s => s.Sku == "CAP-003" && s.Remaining == 18, 15);
        Assert.True(seen.Seq > 0);
        await using var late = await ConnectAsync(bed.Nodes[1], "json");
        var snapshot = await JoinAsync(late, "Late");
        Assert.Equal(18, snapshot.Pinned?.Stock);
        Assert.Equal(18, snapshot.Lineup.Single(p => p.Sku == "CAP-003").Stock);
    }
}
