using System.Net;
using System.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Relay.Chat.Contracts;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Server;

/// <summary>The live room inside the real host: channels, line-ups and keys come from the channel store.</summary>
public sealed class LiveRoomWiringTests : IAsyncLifetime
{
    private RelayTestServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await RelayTestServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private HubConnection Connect(string protocol, string? token)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(_server.BaseAddress, "/hubs/live"), o =>
        {
            if (token is not null)
            {
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            }
        });
        if (protocol == "messagepack")
        {
            builder.AddMessagePackProtocol();
        }
        return builder.Build();
    }

    [Theory]
    [InlineData("json")]
    [InlineData("messagepack")]
    public async Task Join_sees_the_stored_lineup_and_the_host_key_unlocks_host_calls(string protocol)
    {
        var ct = TestContext.Current.CancellationToken;
        var demo = _server.Channels.Find("demo")!;
        await using var host = Connect(protocol, demo.HostKey);
        await using var viewer = Connect(protocol, null);
        await host.StartAsync(ct);
        await viewer.StartAsync(ct);

        var pinned = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        viewer.On<ProductView>("pinned", p => pinned.TrySetResult(p.Sku));

        var hostSnapshot = await host.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Host" }, ct);
        var viewerSnapshot = await viewer.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Ann" }, ct);
        Assert.Equal("host", hostSnapshot.You.Role);
        Assert.Equal("guest", viewerSnapshot.You.Role);
        Assert.Equal(demo.Lineup.Select(i => i.Sku), viewerSnapshot.Lineup.Select(p => p.Sku));

        var refused = await Assert.ThrowsAsync<HubException>(() => viewer.InvokeAsync("Pin", "TEE-001", ct));
        Assert.Contains("forbidden", refused.Message, StringComparison.OrdinalIgnoreCase);

        await host.InvokeAsync("Pin", "TEE-001", ct);
        Assert.Equal("TEE-001", await pinned.Task.WaitAsync(TimeSpan.FromSeconds(10), ct));
    }

    /// <summary>
    /// The real host (Kestrel with inline socket scheduling, the default) fans room events out over WebSockets:
    /// every viewer of either protocol gets every chat message in order, the pin, the flash sale and its stock.
    /// </summary>
    [Fact]
    public async Task Room_events_reach_every_websocket_viewer_of_both_protocols_in_order()
    {
        var ct = TestContext.Current.CancellationToken;
        var demo = _server.Channels.Find("demo")!;
        var sku = demo.Lineup[0].Sku;
        await using var host = Connect("messagepack", demo.HostKey);
        await host.StartAsync(ct);
        await host.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Host" }, ct);

        const int Viewers = 24, Messages = 8;
        var viewers = new List<(HubConnection Connection, List<string> Texts, TaskCompletionSource AllMessages,
            TaskCompletionSource<string> Pinned, TaskCompletionSource<FlashSaleView> Sale, TaskCompletionSource<int> Stock)>();
        try
        {
            for (var i = 0; i < Viewers; i++)
            {
                var c = Connect(i % 2 == 0 ? "json" : "messagepack", null);
                var v = (c, new List<string>(), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously),
                    new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously),
                    new TaskCompletionSource<FlashSaleView>(TaskCreationOptions.RunContinuationsAsynchronously),
                    new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously));
                c.On<ChatMessageView>("message", m =>
                {
                    lock (v.Item2)
                    {
                        v.Item2.Add(m.Text);
                        if (v.Item2.Count == Messages) v.Item3.TrySetResult();
                    }
                });
                c.On<ProductView>("pinned", p => v.Item4.TrySetResult(p.Sku));
                c.On<FlashSaleView>("flashSale", s => v.Item5.TrySetResult(s));
                c.On<StockEvent>("stock", s => { if (s.Sku == sku && s.Remaining == 2) v.Item6.TrySetResult(s.Remaining); });
                viewers.Add(v);
                await c.StartAsync(ct);
                await c.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = $"v{i}" }, ct);
            }

            for (var m = 0; m < Messages; m++)
                await host.InvokeAsync("SendMessage", $"hello {m}", ct);
            await host.InvokeAsync("Pin", sku, ct);
            await host.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = sku, PriceCents = 500, Quantity = 3, DurationSeconds = 60 }, ct);
            var bought = await viewers[1].Connection.InvokeAsync<PurchaseResult>("Purchase",
                new PurchaseRequest { Sku = sku, Quantity = 1, IdempotencyKey = "wiring-1" }, ct);
            Assert.Equal(PurchaseStatus.Reserved, bought.Status);

            var expected = Enumerable.Range(0, Messages).Select(m => $"hello {m}").ToList();
            foreach (var v in viewers)
            {
                await v.AllMessages.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
                lock (v.Texts) Assert.Equal(expected, v.Texts);
                Assert.Equal(sku, await v.Pinned.Task.WaitAsync(TimeSpan.FromSeconds(10), ct));
                var sale = await v.Sale.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
                Assert.True(sale.Active);
                Assert.Equal(3, sale.Quantity);
                Assert.Equal(2, await v.Stock.Task.WaitAsync(TimeSpan.FromSeconds(10), ct));
            }
        }
        finally
        {
            foreach (var v in viewers) await v.Connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task Another_channels_host_key_is_a_guest_here_and_unknown_channels_are_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        var other = await _server.Channels.CreateAsync("other", "Other", ct);
        await using var stranger = Connect("json", other.Channel!.HostKey);
        await stranger.StartAsync(ct);
        var refused = await Assert.ThrowsAsync<HubException>(() => stranger.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), ct));
        Assert.False(string.IsNullOrEmpty(refused.Message));
        var missing = await Assert.ThrowsAsync<HubException>(() => stranger.InvokeAsync<JoinSnapshot>("Join", "no-such-channel", new JoinOptions(), ct));
        Assert.Contains("no such channel", missing.Message);
    }

    [Fact]
    public async Task A_lineup_put_through_the_api_reaches_a_joined_room()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var viewer = Connect("json", null);
        await viewer.StartAsync(ct);
        await viewer.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Bo" }, ct);

        using var admin = _server.AdminClient();
        var put = await admin.PutAsync("/api/v1/channels/demo/lineup",
            new StringContent("""[{"sku":"NEW-1","title":"New thing","priceCents":990,"currency":"USD","stock":7}]""", Encoding.UTF8, "application/json"), ct);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        await using var late = Connect("messagepack", null);
        await late.StartAsync(ct);
        var snapshot = await late.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Cy" }, ct);
        var product = Assert.Single(snapshot.Lineup);
        Assert.Equal("NEW-1", product.Sku);
        Assert.Equal(7, product.Stock);
    }
}
