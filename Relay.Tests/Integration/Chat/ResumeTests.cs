using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Hub = Relay.Tests.Common.Hosts.Hub;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Chat;

/// <summary>Contract v2 `Resume(channelId, lastSeq)`: a client that lost its connection gets the room events it missed,
/// in seq order, or a fresh snapshot when the room no longer keeps them; it stays the same viewer with the same name.</summary>
public sealed class ResumeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task A_viewer_that_reconnects_gets_exactly_the_events_it_missed_and_keeps_its_name(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync(Guests.Unlimited());
        var guest = await Guests.MintAsync(host);
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        var first = host.Connect(protocol, guest.GuestToken);
        await first.StartAsync(Ct);
        var joined = await first.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions { DisplayName = "Ann", Referrer = "friend-1" }, Ct);
        await first.InvokeAsync("SendMessage", "before the blip", Ct);
        var seen = await WaitForSeqAbove(seller, joined.Seq);
        await first.DisposeAsync();

        // While Ann is away: a pin, a message, an unpin, a flash sale.
        await seller.InvokeAsync("Pin", "SER-1", Ct);
        await seller.InvokeAsync("SendMessage", "welcome back soon", Ct);
        await seller.InvokeAsync("Unpin", Ct);
        await seller.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "LIP-1", PriceCents = 999, Quantity = 5, DurationSeconds = 60 }, Ct);

        await using var second = host.Connect(protocol, guest.GuestToken);
        var live = new EventInbox<ChatMessageView>(second, "message");
        await second.StartAsync(Ct);
        var resumed = await Eventually(() => second.InvokeAsync<ResumeResult>("Resume", ChatTestHost.Channel, seen, Ct),
            r => r.Events?.Any(e => e.Name == "flashSale") == true);

        Assert.Null(resumed.Snapshot);
        var events = resumed.Events!;
        Assert.All(events, e => Assert.InRange(e.Seq, seen + 1, resumed.Seq));
        Assert.Equal(events.Select(e => e.Seq).Order(), events.Select(e => e.Seq));
        // Viewer counts come and go with the connections; the sale's stock count follows its start.
        var names = events.Where(e => e.Name is not ("viewers" or "stock")).Select(e => e.Name).ToList();
        Assert.Equal(["pinned", "message", "unpinned", "flashSale"], names);
        Assert.Equal("SER-1", events.Single(e => e.Name == "pinned").Pinned!.Sku);
        Assert.Equal("welcome back soon", events.Single(e => e.Name == "message").Message!.Text);
        Assert.Equal(999, events.Single(e => e.Name == "flashSale").FlashSale!.PriceCents);
        // Each payload sits in the member of its name, and only there.
        Assert.All(events, e => Assert.Equal(1, PayloadCount(e)));

        // The same viewer, with the name it joined with: its next message says so.
        Assert.Equal(joined.You.UserId, resumed.You.UserId);
        Assert.Equal("Ann", resumed.You.DisplayName);
        await second.InvokeAsync("SendMessage", "back", Ct);
        var back = await live.NextMatchingAsync(m => m.Text == "back");
        Assert.Equal("Ann", back.DisplayName);
        Assert.True(back.Seq > resumed.Seq);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Missing_more_than_the_room_keeps_or_a_seq_from_before_a_restart_gets_a_fresh_snapshot(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync(Guests.Unlimited(new() { ["Relay:Chat:ResumeEvents"] = "3" }));
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        await using var viewer = host.Connect(protocol);
        await viewer.StartAsync(Ct);
        var joined = await viewer.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        await seller.InvokeAsync("Pin", "SER-1", Ct);
        for (var i = 0; i < 5; i++) await seller.InvokeAsync("SendMessage", $"note {i}", Ct);
        var last = await WaitForSeqAbove(seller, joined.Seq, minimumCount: 5);

        var tooOld = await viewer.InvokeAsync<ResumeResult>("Resume", ChatTestHost.Channel, joined.Seq, Ct);
        Assert.Null(tooOld.Events);
        Assert.NotNull(tooOld.Snapshot);
        Assert.Equal("SER-1", tooOld.Snapshot!.Pinned?.Sku);
        Assert.Contains(tooOld.Snapshot.RecentMessages, m => m.Text == "note 4");
        Assert.Equal(tooOld.Snapshot.Seq, tooOld.Seq);
        Assert.True(tooOld.Seq >= last);

        // A seq the room never reached (the relay restarted and counts from the start again): a snapshot too.
        var ahead = await viewer.InvokeAsync<ResumeResult>("Resume", ChatTestHost.Channel, tooOld.Seq + 1000, Ct);
        Assert.NotNull(ahead.Snapshot);
        Assert.Null(ahead.Events);

        // Caught up: nothing to replay, and no snapshot either.
        var current = await viewer.InvokeAsync<ResumeResult>("Resume", ChatTestHost.Channel, ahead.Seq, Ct);
        Assert.Null(current.Snapshot);
        Assert.NotNull(current.Events);
        Assert.DoesNotContain(current.Events!, e => e.Name != "viewers");

        var refusal = await Assert.ThrowsAsync<HubException>(() => viewer.InvokeAsync<ResumeResult>("Resume", ChatTestHost.Channel, -1L, Ct));
        Assert.StartsWith("invalid", refusal.Message);
        refusal = await Assert.ThrowsAsync<HubException>(() => viewer.InvokeAsync<ResumeResult>("Resume", "no-such-channel", 0L, Ct));
        Assert.StartsWith("not_found", refusal.Message);
        // Refused resumes changed nothing: the connection is still in the room.
        await viewer.InvokeAsync("SendMessage", "still here", Ct);
    }

    private static int PayloadCount(RoomEventView e) =>
        new object?[] { e.Message, e.MessageDeleted, e.Pinned, e.Unpinned, e.FlashSale, e.Stock, e.Purchase, e.Viewers, e.Status, e.NextShow }
            .Count(p => p is not null);

    /// <summary>The seq of the room as the host's connection last saw it, once it has seen at least
    /// <paramref name="minimumCount"/> messages above <paramref name="after"/>.</summary>
    private static async Task<long> WaitForSeqAbove(HubConnection host, long after, int minimumCount = 1)
    {
        for (var i = 0; i < 100; i++)
        {
            var snapshot = await host.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
            if (snapshot.RecentMessages.Count(m => m.Seq > after) >= minimumCount) return snapshot.Seq;
            await Task.Delay(50, Ct);
        }
        throw new TimeoutException($"the room did not reach {minimumCount} messages after seq {after}");
    }

    /// <summary>Events are applied when the bus hands them back, a moment after the call that published them returns.</summary>
    private static async Task<T> Eventually<T>(Func<Task<T>> call, Func<T, bool> done)
    {
        for (var i = 0; ; i++)
        {
            var result = await call();
            if (done(result) || i == 100) return result;
            await Task.Delay(50, Ct);
        }
    }
}
