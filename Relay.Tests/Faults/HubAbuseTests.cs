using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using HubException = Microsoft.AspNetCore.SignalR.HubException;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Chat.Diagnostics;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common;

namespace Relay.Tests.Faults;

/// <summary>
/// One abusive client on the live room must cost only itself: the others keep chatting and buying. Real SignalR
/// clients (both protocols where the protocol changes the parsing path) and a raw WebSocket for bytes no client
/// library would send. Host calls from a viewer and bad quantities/prices are covered by ChatHubTests
/// (Viewers_are_refused_every_host_call_and_nothing_changes, Bad_arguments_get_clear_errors_...); here they are
/// repeated during a running flash sale, where a wrong answer would move stock.
/// </summary>
[Trait("Category", "Faults")]
public sealed class HubAbuseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(HubConnection Connection, EventInbox<ChatMessageView> Messages)> JoinAsync(ChatTestHost host, string protocol, string name, string? token = null)
    {
        var connection = host.Connect(protocol, token);
        var messages = new EventInbox<ChatMessageView>(connection, "message");
        await connection.StartAsync(Ct);
        await connection.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions { DisplayName = name }, Ct);
        return (connection, messages);
    }

    private static async Task AssertStillChatsAsync(ChatTestHost host, string protocol, HubConnection bystander, EventInbox<ChatMessageView> inbox, string text)
    {
        await bystander.InvokeAsync("SendMessage", text, Ct);
        Assert.Equal(text, (await inbox.NextMatchingAsync(m => m.Text == text)).Text);
        // And the server still takes newcomers.
        await using var newcomer = host.Connect(protocol);
        await newcomer.StartAsync(Ct);
        await newcomer.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task A_one_megabyte_message_at_the_default_limits_closes_only_that_connection(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync();
        var (attacker, _) = await JoinAsync(host, protocol, "attacker");
        await using var _a = attacker;
        var (bystander, inbox) = await JoinAsync(host, protocol, "bystander");
        await using var _b = bystander;
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        attacker.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };

        _ = attacker.InvokeAsync("SendMessage", new string('x', 1024 * 1024), Ct).ContinueWith(t => t.Exception, TaskScheduler.Default);
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(HubConnectionState.Disconnected, attacker.State);
        await AssertStillChatsAsync(host, protocol, bystander, inbox, "after the megabyte");
        Assert.DoesNotContain(inbox.All, m => m.Text.Length > 1000);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Ten_thousand_messages_a_second_from_one_client_are_rate_limited_and_the_room_keeps_talking(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync();
        var (flooder, _) = await JoinAsync(host, protocol, "flooder");
        await using var _f = flooder;
        var (bystander, inbox) = await JoinAsync(host, protocol, "bystander");
        await using var _b = bystander;
        var rejectedBefore = ChatMetrics.ChatRejected.WithLabels("rate_limited").Value;

        // Fire-and-forget sends, as a hostile script would: no waiting for answers, 10k in about a second.
        var total = FaultScale.Of(10_000);
        var flood = Task.Run(async () =>
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < total; i++)
            {
                await flooder.SendAsync("SendMessage", $"spam {i}", Ct);
                var due = TimeSpan.FromSeconds(i / 10_000.0);
                if (watch.Elapsed < due) await Task.Delay(due - watch.Elapsed, Ct);
            }
        }, Ct);

        // While it runs, the bystander's calls still answer promptly and its messages arrive (3 of its 5-message
        // chat allowance; the rest are used below). The bound is loose for a shared 2-core machine; a room
        // serialised behind the flood would take the flood's whole duration or fail outright.
        var worst = TimeSpan.Zero;
        var round = 0;
        while (!flood.IsCompleted && round < 30)
        {
            var watch = Stopwatch.StartNew();
            if (round % 5 == 0 && round < 15) await AssertDeliveredAsync($"hello {round}");
            else await bystander.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
            worst = TimeSpan.FromTicks(Math.Max(worst.Ticks, watch.Elapsed.Ticks));
            round++;
            await Task.Delay(100, Ct);
        }

        await flood.WaitAsync(TimeSpan.FromSeconds(60), Ct);
        await AssertDeliveredAsync("after the flood");
        Assert.True(worst < TimeSpan.FromSeconds(2), $"a bystander's message took {worst.TotalMilliseconds:F0} ms during the flood");

        // The chat limit (5 per 10 s) lets a burst of 5 through, the call limit (20/s) refuses the rest early.
        var spam = inbox.All.Count(m => m.Text.StartsWith("spam ", StringComparison.Ordinal));
        Assert.InRange(spam, 1, 10);
        // The client has sent everything; the server may still be working through its receive buffer.
        double rejected;
        var countedBy = DateTime.UtcNow.AddSeconds(15);
        while ((rejected = ChatMetrics.ChatRejected.WithLabels("rate_limited").Value - rejectedBefore) < total - 100 && DateTime.UtcNow < countedBy)
            await Task.Delay(50, Ct);
        Assert.True(rejected >= total - 100, $"only {rejected} of {total} flood calls were counted as rate_limited");
        await AssertStillChatsAsync(host, protocol, bystander, inbox, "still fine");

        async Task AssertDeliveredAsync(string text)
        {
            await bystander.InvokeAsync("SendMessage", text, Ct);
            await inbox.NextMatchingAsync(m => m.Text == text);
        }
    }

    [Fact]
    public async Task Invalid_MessagePack_on_a_raw_WebSocket_closes_that_socket_and_the_room_is_unaffected()
    {
        await using var host = await ChatTestHost.StartAsync();
        var (bystander, inbox) = await JoinAsync(host, "messagepack", "bystander");
        await using var _b = bystander;

        foreach (var garbage in new[]
        {
            // A varint length prefix claiming 2^35 bytes, then nothing.
            new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x01 },
            // A well-framed message whose body is not a MessagePack array (0xC1 is "never used").
            new byte[] { 0x03, 0xC1, 0xC1, 0xC1 },
            // An invocation array with a string where the message type must be.
            new byte[] { 0x05, 0x92, 0xA3, (byte)'a', (byte)'b', (byte)'c' },
        })
        {
            using var socket = new ClientWebSocket();
            var ws = new UriBuilder(host.BaseAddress) { Scheme = "ws", Path = "/hubs/live" }.Uri;
            await socket.ConnectAsync(ws, Ct);
            await socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"messagepack\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, Ct);
            var buffer = new byte[4096];
            var handshake = await socket.ReceiveAsync(buffer, Ct);
            Assert.Equal("{}\u001e", Encoding.UTF8.GetString(buffer, 0, handshake.Count));

            await socket.SendAsync(garbage, WebSocketMessageType.Binary, true, Ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            // The server answers with a SignalR close message and/or closes the socket; either way the socket ends.
            while (socket.State == WebSocketState.Open)
            {
                try
                {
                    var r = await socket.ReceiveAsync(buffer, timeout.Token);
                    if (r.MessageType == WebSocketMessageType.Close) break;
                }
                catch (WebSocketException)
                {
                    break;
                }
            }

            Assert.False(timeout.IsCancellationRequested, $"garbage {Convert.ToHexString(garbage)} did not close the socket");
        }

        await AssertStillChatsAsync(host, "messagepack", bystander, inbox, "after the garbage");
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Host_calls_and_absurd_numbers_during_a_flash_sale_change_nothing(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync();
        var (seller, _) = await JoinAsync(host, protocol, "seller", ChatTestHost.HostKey);
        await using var _s = seller;
        await seller.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "LIP-1", PriceCents = 900, Quantity = 5, DurationSeconds = 600 }, Ct);
        var (viewer, _) = await JoinAsync(host, protocol, "viewer");
        await using var _v = viewer;
        var sales = new EventInbox<FlashSaleView>(viewer, "flashSale");
        var stock = new EventInbox<StockEvent>(viewer, "stock");

        async Task Refused(Func<Task> call) =>
            Assert.Matches("^(forbidden|invalid|limit_exceeded|rate_limited)", (await Assert.ThrowsAsync<HubException>(call)).Message);

        // A viewer trying the host's controls: end the sale, restart it at 1 cent, pin something else.
        await Refused(() => viewer.InvokeAsync("EndFlashSale", Ct));
        await Refused(() => viewer.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "LIP-1", PriceCents = 1, Quantity = 1_000_000, DurationSeconds = 600 }, Ct));
        await Refused(() => viewer.InvokeAsync("Pin", "SER-1", Ct));
        // The host itself with absurd numbers.
        foreach (var bad in new[]
        {
            new FlashSaleRequest { Sku = "LIP-1", PriceCents = -900, Quantity = 5, DurationSeconds = 600 },
            new FlashSaleRequest { Sku = "LIP-1", PriceCents = long.MaxValue, Quantity = 5, DurationSeconds = 600 },
            new FlashSaleRequest { Sku = "LIP-1", PriceCents = 900, Quantity = -5, DurationSeconds = 600 },
            new FlashSaleRequest { Sku = "LIP-1", PriceCents = 900, Quantity = int.MaxValue, DurationSeconds = 600 },
            new FlashSaleRequest { Sku = "LIP-1", PriceCents = 900, Quantity = 5, DurationSeconds = int.MaxValue },
        })
        {
            await Refused(() => seller.InvokeAsync("StartFlashSale", bad, Ct));
        }

        foreach (var quantity in new[] { -1, 0, int.MinValue, int.MaxValue, 1_000_000 })
        {
            var result = await viewer.InvokeAsync<PurchaseResult>("Purchase", new PurchaseRequest { Sku = "LIP-1", Quantity = quantity, IdempotencyKey = $"q{quantity}" }, Ct);
            Assert.Contains(result.Status, new[] { PurchaseStatus.Invalid, PurchaseStatus.LimitExceeded });
            Assert.Null(result.OrderId);
        }

        var after = await viewer.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        Assert.NotNull(after.FlashSale);
        Assert.Equal(900, after.FlashSale.PriceCents);
        Assert.Equal(5, after.FlashSale.Quantity);
        Assert.Equal(5, after.FlashSale.Remaining);
        Assert.Null(after.Pinned);
        // Stock events are paced, so the one for the sale's start may still arrive now: none may show a unit gone.
        await Task.Delay(400, Ct);
        Assert.DoesNotContain(stock.All, e => e.Sku == "LIP-1" && e.Remaining < 5);
        Assert.Empty(sales.All);
        // The sale still sells, exactly its quantity.
        var ok = await viewer.InvokeAsync<PurchaseResult>("Purchase", new PurchaseRequest { Sku = "LIP-1", Quantity = 1, IdempotencyKey = "good" }, Ct);
        Assert.Equal(PurchaseStatus.Reserved, ok.Status);
        Assert.Equal(4, (await stock.NextMatchingAsync(e => e.Sku == "LIP-1" && e.Remaining != 5)).Remaining);
    }
}
