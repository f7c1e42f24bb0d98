using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Relay.Chat.Contracts;
using Hub = Relay.Tests.Common.Hosts.Hub;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Chat;

public sealed class ChatHubTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Two_viewers_chat_and_a_late_joiner_gets_the_recent_messages(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync();
        await using var alice = host.Connect(protocol);
        await using var bob = host.Connect(protocol);
        var bobMessages = new EventInbox<ChatMessageView>(bob, "message");
        await alice.StartAsync(Ct);
        await bob.StartAsync(Ct);
        var aliceJoin = await alice.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions { DisplayName = "  Alice\u202e\n " }, Ct);
        await bob.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions { DisplayName = "Bob" }, Ct);

        Assert.Equal("Alice", aliceJoin.You.DisplayName);
        Assert.Equal("guest", aliceJoin.You.Role);
        Assert.StartsWith("p_", aliceJoin.You.UserId);
        Assert.Equal(2, aliceJoin.Lineup.Count);

        var before = DateTime.UtcNow.AddSeconds(-5);
        await alice.InvokeAsync("SendMessage", "hello   <b>world</b>", Ct);
        var received = await bobMessages.NextAsync();
        Assert.Equal("hello <b>world</b>", received.Text);
        Assert.Equal(aliceJoin.You.UserId, received.UserId);
        Assert.Equal("Alice", received.DisplayName);
        Assert.Equal("guest", received.Role);
        Assert.StartsWith("msg_", received.Id);
        Assert.InRange(received.At, before, DateTime.UtcNow.AddSeconds(5));

        await using var carol = host.Connect(protocol);
        await carol.StartAsync(Ct);
        var carolJoin = await carol.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        var recent = Assert.Single(carolJoin.RecentMessages);
        Assert.Equal(received.Id, recent.Id);
        Assert.Equal(3, carolJoin.Viewers);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Each_refusal_reason_is_a_HubException_starting_with_its_token(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Chat:MaxMessageLength"] = "20",
            ["Relay:Chat:BannedTerms:0"] = "spoiler",
            ["Relay:Chat:RateLimitMessages"] = "3",
            ["Relay:Chat:RateLimitWindowSeconds"] = "60",
        });
        await using var viewer = host.Connect(protocol);
        await using var other = host.Connect(protocol);
        await using var moderator = host.Connect(protocol, ChatTestHost.HostKey);
        var seen = new EventInbox<ChatMessageView>(other, "message");
        await Task.WhenAll(viewer.StartAsync(Ct), other.StartAsync(Ct), moderator.StartAsync(Ct));

        await Refused("not_joined", () => viewer.InvokeAsync("SendMessage", "hi", Ct));
        var me = await viewer.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        await other.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        await moderator.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);

        await Refused("too_long", () => viewer.InvokeAsync("SendMessage", new string('x', 21), Ct));
        await Refused("invalid", () => viewer.InvokeAsync("SendMessage", " \n\t ", Ct));
        await Refused("banned_term", () => viewer.InvokeAsync("SendMessage", "big SPOILER here", Ct));

        for (var i = 0; i < 3; i++) await viewer.InvokeAsync("SendMessage", $"m{i}", Ct);
        var limited = await Refused("rate_limited", () => viewer.InvokeAsync("SendMessage", "one too many", Ct));
        Assert.Matches(@"rate_limited: wait \d+ s", limited.Message);

        await moderator.InvokeAsync("SetSlowMode", 30, Ct);
        await using var slow = host.Connect(protocol);
        await slow.StartAsync(Ct);
        await slow.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        await slow.InvokeAsync("SendMessage", "first", Ct);
        var slowed = await Refused("slow_mode", () => slow.InvokeAsync("SendMessage", "second", Ct));
        Assert.Matches(@"slow_mode: wait (29|30) s", slowed.Message);

        await moderator.InvokeAsync("Mute", me.You.UserId, 120, Ct);
        await Refused("muted", () => viewer.InvokeAsync("SendMessage", "am I muted", Ct));

        // Only the four accepted messages ever reached the room.
        var texts = new List<string>();
        for (var i = 0; i < 4; i++) texts.Add((await seen.NextAsync()).Text);
        Assert.Equal(["m0", "m1", "m2", "first"], texts);
        Assert.True(await seen.StaysQuietAsync(0.3));
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Host_deletes_mutes_and_unmutes(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync();
        await using var viewer = host.Connect(protocol);
        await using var moderator = host.Connect(protocol, ChatTestHost.HostKey);
        var deleted = new EventInbox<MessageDeletedEvent>(viewer, "messageDeleted");
        var messages = new EventInbox<ChatMessageView>(moderator, "message");
        await Task.WhenAll(viewer.StartAsync(Ct), moderator.StartAsync(Ct));
        var me = await viewer.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions { DisplayName = "V" }, Ct);
        var hostJoin = await moderator.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        Assert.Equal("host", hostJoin.You.Role);

        await viewer.InvokeAsync("SendMessage", "rude words", Ct);
        var message = await messages.NextAsync();
        await moderator.InvokeAsync("DeleteMessage", message.Id, Ct);
        Assert.Equal(message.Id, (await deleted.NextAsync()).Id);
        await Refused("not_found", () => moderator.InvokeAsync("DeleteMessage", message.Id, Ct));

        await using var late = host.Connect(protocol);
        await late.StartAsync(Ct);
        Assert.Empty((await late.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct)).RecentMessages);

        await moderator.InvokeAsync("Mute", me.You.UserId, 300, Ct);
        await Refused("muted", () => viewer.InvokeAsync("SendMessage", "let me talk", Ct));
        await moderator.InvokeAsync("SendMessage", "hosts are never muted or rate limited", Ct);
        await moderator.InvokeAsync("Mute", me.You.UserId, 0, Ct);
        await viewer.InvokeAsync("SendMessage", "thanks", Ct);
        Assert.Equal("hosts are never muted or rate limited", (await messages.NextAsync()).Text);
        Assert.Equal("thanks", (await messages.NextAsync()).Text);

        await Refused("invalid", () => moderator.InvokeAsync("Mute", me.You.UserId, -5, Ct));
        await Refused("invalid", () => moderator.InvokeAsync("Mute", hostJoin.You.UserId, 60, Ct));
        await Refused("invalid", () => moderator.InvokeAsync("SetSlowMode", 1_000_000, Ct));
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Viewers_are_refused_every_host_call_and_nothing_changes(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync();
        await using var viewer = host.Connect(protocol);
        var pins = new EventInbox<ProductView>(viewer, "pinned");
        var sales = new EventInbox<FlashSaleView>(viewer, "flashSale");
        await viewer.StartAsync(Ct);
        var me = await viewer.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);

        await Refused("forbidden", () => viewer.InvokeAsync("Pin", ChatTestHost.Lipstick.Sku, Ct));
        await Refused("forbidden", () => viewer.InvokeAsync("Unpin", Ct));
        await Refused("forbidden", () => viewer.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "LIP-1", PriceCents = 1, Quantity = 5, DurationSeconds = 60 }, Ct));
        await Refused("forbidden", () => viewer.InvokeAsync("EndFlashSale", Ct));
        await Refused("forbidden", () => viewer.InvokeAsync("DeleteMessage", "msg_x", Ct));
        await Refused("forbidden", () => viewer.InvokeAsync("Mute", me.You.UserId, 60, Ct));
        await Refused("forbidden", () => viewer.InvokeAsync("SetSlowMode", 10, Ct));

        Assert.True(await pins.StaysQuietAsync(0.2));
        Assert.Empty(sales.All);
        var again = await viewer.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        Assert.Null(again.Pinned);
        Assert.Null(again.FlashSale);
        Assert.Equal(0, again.SlowModeSeconds);
        // No sale was started: the product sells at its list price from the bag.
        var result = await viewer.InvokeAsync<PurchaseResult>("Purchase", new PurchaseRequest { Sku = "LIP-1", Quantity = 1, IdempotencyKey = "k1" }, Ct);
        Assert.Equal(PurchaseStatus.Reserved, result.Status);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Wrong_credentials_and_unknown_channels_are_refused_at_join(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync();
        await using var impostor = host.Connect(protocol, "not-the-host-key");
        await using var guest = host.Connect(protocol);
        await using var admin = host.Connect(protocol, InMemoryChannelDirectory.AdminToken);
        await using var otherHost = host.Connect(protocol, "host-key-show2-abcdefghijklmnop");
        await Task.WhenAll(impostor.StartAsync(Ct), guest.StartAsync(Ct), admin.StartAsync(Ct), otherHost.StartAsync(Ct));

        await Refused("unauthorized", () => impostor.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct));
        // A host key is only good for its own channel.
        await Refused("unauthorized", () => otherHost.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct));
        Assert.Equal("host", (await otherHost.InvokeAsync<JoinSnapshot>("Join", "show2", new JoinOptions(), Ct)).You.Role);
        await Refused("not_found", () => guest.InvokeAsync<JoinSnapshot>("Join", "nope", new JoinOptions(), Ct));
        await Refused("invalid", () => guest.InvokeAsync<JoinSnapshot>("Join", "", new JoinOptions(), Ct));
        await Refused("invalid", () => guest.InvokeAsync<JoinSnapshot>("Join", new string('c', 500), null, Ct));
        Assert.Equal("admin", (await admin.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, null, Ct)).You.Role);
        await admin.InvokeAsync("Pin", "LIP-1", Ct);
        Assert.Empty(host.Logs.Errors.Select(l => l[..Math.Min(300, l.Length)]).Select(l => l.Replace("Microsoft.AspNetCore.SignalR.Internal.", "")));
        foreach (var secret in new[] { "not-the-host-key", "host-key-show2", InMemoryChannelDirectory.AdminToken })
            Assert.DoesNotContain(host.Logs, line => line.Contains(secret, StringComparison.Ordinal));
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Bad_arguments_get_clear_errors_and_the_connection_stays_usable(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync();
        await using var viewer = host.Connect(protocol);
        await using var moderator = host.Connect(protocol, ChatTestHost.HostKey);
        await Task.WhenAll(viewer.StartAsync(Ct), moderator.StartAsync(Ct));
        await Refused("not_joined", () => viewer.InvokeAsync<PurchaseResult>("Purchase", new PurchaseRequest { Sku = "LIP-1", Quantity = 1, IdempotencyKey = "a" }, Ct));
        await viewer.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        await moderator.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        await moderator.InvokeAsync("Pin", "LIP-1", Ct);

        // Wrong argument types and counts are refused by SignalR's binder before any of our code runs.
        await Assert.ThrowsAsync<HubException>(() => viewer.InvokeAsync("Mute", 42, "x", Ct));
        await Assert.ThrowsAsync<HubException>(() => viewer.InvokeAsync("SendMessage", Ct));
        await Assert.ThrowsAsync<HubException>(() => viewer.InvokeAsync("NoSuchMethod", Ct));

        await Refused("not_found", () => moderator.InvokeAsync("Pin", "NOPE", Ct));
        await Refused("invalid", () => moderator.InvokeAsync("Pin", (string?)null, Ct));
        await Refused("invalid", () => moderator.InvokeAsync("StartFlashSale", (FlashSaleRequest?)null, Ct));
        await Refused("invalid", () => moderator.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "LIP-1", PriceCents = -1, Quantity = 5, DurationSeconds = 60 }, Ct));
        await Refused("invalid", () => moderator.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "LIP-1", PriceCents = 100, Quantity = 0, DurationSeconds = 60 }, Ct));
        await Refused("invalid", () => moderator.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "LIP-1", PriceCents = 100, Quantity = int.MaxValue, DurationSeconds = 60 }, Ct));
        await Refused("invalid", () => moderator.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "LIP-1", PriceCents = 100, Quantity = 5, DurationSeconds = -3 }, Ct));
        await Refused("not_found", () => moderator.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "NOPE", PriceCents = 100, Quantity = 5, DurationSeconds = 60 }, Ct));

        async Task<string> Buy(string? sku, int quantity, string? key) =>
            (await viewer.InvokeAsync<PurchaseResult>("Purchase", new PurchaseRequest { Sku = sku, Quantity = quantity, IdempotencyKey = key }, Ct)).Status;
        Assert.Equal(PurchaseStatus.Invalid, (await viewer.InvokeAsync<PurchaseResult>("Purchase", (PurchaseRequest?)null, Ct)).Status);
        Assert.Equal(PurchaseStatus.Invalid, await Buy("LIP-1", -3, "k1"));
        Assert.Equal(PurchaseStatus.Invalid, await Buy("LIP-1", 0, "k1"));
        Assert.Equal(PurchaseStatus.LimitExceeded, await Buy("LIP-1", int.MaxValue, "k1"));
        Assert.Equal(PurchaseStatus.LimitExceeded, await Buy("LIP-1", 11, "k1"));
        Assert.Equal(PurchaseStatus.Invalid, await Buy("LIP-1", 1, null));
        Assert.Equal(PurchaseStatus.Invalid, await Buy("LIP-1", 1, new string('k', 129)));
        Assert.Equal(PurchaseStatus.NotOnSale, await Buy("NOPE", 1, "k2"));
        // None of the refusals wrote an order; the connection still works, and any line-up product sells (pinned or not).
        Assert.Equal(PurchaseStatus.Reserved, await Buy("LIP-1", 1, "k1"));
        Assert.Equal(PurchaseStatus.Reserved, await Buy("SER-1", 1, "k3"));
        await viewer.InvokeAsync("SendMessage", "still here", Ct);
        Assert.Empty(host.Logs.Errors.Select(l => l[..Math.Min(300, l.Length)]).Select(l => l.Replace("Microsoft.AspNetCore.SignalR.Internal.", "")));
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task An_oversized_frame_closes_only_that_connection(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?> { ["Relay:Chat:MaxReceiveMessageBytes"] = "4096" });
        await using var attacker = host.Connect(protocol);
        await using var bystander = host.Connect(protocol);
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        attacker.Closed += e => { closed.TrySetResult(e); return Task.CompletedTask; };
        var bystanderMessages = new EventInbox<ChatMessageView>(bystander, "message");
        await Task.WhenAll(attacker.StartAsync(Ct), bystander.StartAsync(Ct));
        await attacker.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        await bystander.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);

        _ = attacker.InvokeAsync("SendMessage", new string('x', 200_000), Ct).ContinueWith(t => t.Exception, TaskScheduler.Default);
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(HubConnectionState.Disconnected, attacker.State);

        await bystander.InvokeAsync("SendMessage", "business as usual", Ct);
        Assert.Equal("business as usual", (await bystanderMessages.NextAsync()).Text);
        Assert.DoesNotContain(bystanderMessages.All, m => m.Text.Length > 1000);
    }

    [Fact]
    public async Task Payload_field_names_are_camelCase_on_the_wire_in_both_protocols()
    {
        await using var host = await ChatTestHost.StartAsync();
        await using var json = host.Connect("json");
        await using var msgpack = host.Connect("messagepack");
        var jsonRaw = new TaskCompletionSource<System.Text.Json.JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        var packRaw = new TaskCompletionSource<Dictionary<object, object>>(TaskCreationOptions.RunContinuationsAsynchronously);
        json.On<System.Text.Json.JsonElement>("message", e => jsonRaw.TrySetResult(e));
        msgpack.On<Dictionary<object, object>>("message", e => packRaw.TrySetResult(e));
        await Task.WhenAll(json.StartAsync(Ct), msgpack.StartAsync(Ct));
        await json.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        await msgpack.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        await json.InvokeAsync("SendMessage", "names", Ct);

        string[] expected = ["at", "displayName", "id", "role", "seq", "text", "userId"];
        var jsonNames = (await jsonRaw.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct)).EnumerateObject().Select(p => p.Name).Order();
        var packNames = (await packRaw.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct)).Keys.Select(k => (string)k).Order();
        Assert.Equal(expected, jsonNames);
        Assert.Equal(expected, packNames);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Viewer_count_and_live_status_reach_the_room(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync();
        await using var first = host.Connect(protocol);
        var viewers = new EventInbox<ViewersEvent>(first, "viewers");
        var status = new EventInbox<StatusEvent>(first, "status");
        await first.StartAsync(Ct);
        await first.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        Assert.Equal(1, (await viewers.NextAsync()).Count);

        var others = Enumerable.Range(0, 4).Select(_ => host.Connect(protocol)).ToList();
        try
        {
            foreach (var c in others) await c.StartAsync(Ct);
            await Task.WhenAll(others.Select(c => c.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct)));
            // Debounced: the four joins arrive as few events, the last saying 5.
            Assert.Equal(5, (await viewers.NextMatchingAsync(v => v.Count == 5)).Count);
            await others[0].StopAsync(Ct);
            Assert.Equal(4, (await viewers.NextMatchingAsync(v => v.Count == 4)).Count);
        }
        finally
        {
            foreach (var c in others) await c.DisposeAsync();
        }

        var control = host.Services.GetRequiredService<Relay.Chat.Channels.ILiveRoomControl>();
        await control.SetLiveAsync(ChatTestHost.Channel, true, Ct);
        Assert.True((await status.NextAsync()).Live);
        await using var late = host.Connect(protocol);
        await late.StartAsync(Ct);
        Assert.True((await late.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct)).Live);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Refusals_keep_their_reason_first_when_the_host_adds_SignalR_again(string protocol)
    {
        // The server may call AddSignalR() for hubs of its own after AddRelayChat, re-registering the plain protocols.
        await using var host = await ChatTestHost.StartAsync(services: s => s.AddSignalR().AddJsonProtocol().AddMessagePackProtocol());
        await using var viewer = host.Connect(protocol);
        await viewer.StartAsync(Ct);
        var ex = await Assert.ThrowsAsync<HubException>(() => viewer.InvokeAsync("SendMessage", "hi", Ct));
        Assert.Equal("not_joined: call Join(channelId, options) first", ex.Message);
    }

    [Theory]
    [InlineData(Microsoft.AspNetCore.Http.Connections.HttpTransportType.LongPolling)]
    [InlineData(Microsoft.AspNetCore.Http.Connections.HttpTransportType.ServerSentEvents)]
    public async Task Other_transports_carry_the_token_in_the_Authorization_header(Microsoft.AspNetCore.Http.Connections.HttpTransportType transport)
    {
        await using var host = await ChatTestHost.StartAsync();
        await using var moderator = new HubConnectionBuilder()
            .WithUrl(new Uri(host.BaseAddress, "/hubs/live"), transport, o => o.AccessTokenProvider = () => Task.FromResult<string?>(ChatTestHost.HostKey))
            .Build();
        var messages = new EventInbox<ChatMessageView>(moderator, "message");
        await moderator.StartAsync(Ct);
        Assert.Equal("host", (await moderator.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct)).You.Role);
        await moderator.InvokeAsync("SendMessage", "over " + transport, Ct);
        Assert.Equal("host", (await messages.NextAsync()).Role);
    }

    internal static async Task<HubException> Refused(string reason, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<HubException>(call);
        Assert.StartsWith(reason + ":", ex.Message);
        return ex;
    }
}
