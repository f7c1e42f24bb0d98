using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Chat.Identity;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Chat;

namespace Relay.Tests.Integration.Chat;

/// <summary>
/// Review finding M12: a signed-in viewer's shop id (the JWT `sub`, here an e-mail address) and full name never reach
/// the other viewers; the room shows a per-room display id that moderators mute by, and toasts show "Alice S.".
/// </summary>
public sealed class DisplayIdTests
{
    private const string JwtKey = "viewer-jwt-key-for-display-ids-0123456789";
    private const string Sub = "alice@example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task A_viewers_shop_id_is_never_broadcast_and_the_host_mutes_by_the_display_id(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?> { ["Relay:Auth:ViewerJwtKey"] = JwtKey });
        var token = PurchaseTests.Token(Sub, "Alice Smith", DateTime.UtcNow.AddMinutes(10), JwtKey);
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        var sellerMessages = new EventInbox<ChatMessageView>(seller, "message");
        await using var guest = host.Connect(protocol);
        var guestMessages = new EventInbox<ChatMessageView>(guest, "message");
        var toasts = new EventInbox<PurchaseToast>(guest, "purchase");
        await guest.StartAsync(Ct);
        await guest.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions { DisplayName = "Gus" }, Ct);

        await using var alice = host.Connect(protocol, token);
        await alice.StartAsync(Ct);
        var aliceJoin = await alice.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        Assert.Equal("viewer", aliceJoin.You.Role);
        Assert.Matches("^p_[0-9a-f]{16}$", aliceJoin.You.UserId);

        await alice.InvokeAsync("SendMessage", "hi from alice", Ct);
        var seen = await guestMessages.NextAsync();
        Assert.Equal("hi from alice", seen.Text);
        Assert.DoesNotContain("alice", seen.UserId, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("example", seen.UserId, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(aliceJoin.You.UserId, seen.UserId);
        // One payload shape for everyone: the host sees the same id and mutes by it.
        var hostSaw = await sellerMessages.NextAsync();
        Assert.Equal(seen.UserId, hostSaw.UserId);

        // A late joiner's snapshot carries the same display id, not the shop id.
        await using var late = host.Connect(protocol);
        await late.StartAsync(Ct);
        var lateJoin = await late.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        Assert.Equal(seen.UserId, Assert.Single(lateJoin.RecentMessages).UserId);

        // The same person in another room has another, unlinkable id.
        await using var aliceElsewhere = host.Connect(protocol, token);
        await aliceElsewhere.StartAsync(Ct);
        var elsewhere = await aliceElsewhere.InvokeAsync<JoinSnapshot>("Join", "show2", new JoinOptions(), Ct);
        Assert.NotEqual(seen.UserId, elsewhere.You.UserId);

        await seller.InvokeAsync("Mute", hostSaw.UserId, 120, Ct);
        await ChatHubTests.Refused("muted", () => alice.InvokeAsync("SendMessage", "still here?", Ct));
        // Re-joining keeps the display id, so the mute holds.
        await alice.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        await ChatHubTests.Refused("muted", () => alice.InvokeAsync("SendMessage", "and now?", Ct));
        await seller.InvokeAsync("Mute", hostSaw.UserId, 0, Ct);
        await alice.InvokeAsync("SendMessage", "back", Ct);
        Assert.Equal("back", (await guestMessages.NextMatchingAsync(m => m.Text == "back")).Text);

        // The purchase toast names "Alice S.", not the full `name` claim.
        await seller.InvokeAsync("Pin", "LIP-1", Ct);
        Assert.Equal(PurchaseStatus.Reserved, (await alice.BuyAsync("LIP-1", 1, "k1")).Status);
        var toast = await toasts.NextAsync(20);
        Assert.Equal(("Alice S.", "LIP-1", 1), (toast.DisplayName, toast.Sku, toast.Quantity));

        foreach (var m in guestMessages.All)
            Assert.DoesNotContain(Sub, m.UserId, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("Alice Smith", "Alice S.")]
    [InlineData("alice@example.com", "alice")]
    [InlineData("Alice Mary  smith", "Alice S.")]
    [InlineData("Alice", "Alice")]
    [InlineData("Alice alice@example.com", "Alice")]
    [InlineData("   ", "")]
    [InlineData("Bartholomew-Christopherson Jones", "Bartholomew-Christop J.")]
    public void Toast_names_are_a_first_name_and_an_initial(string name, string expected) =>
        Assert.Equal(expected, ToastName.Of(name));

    [Fact]
    public void Mute_keys_accept_a_display_id_or_the_real_id_it_stands_for()
    {
        var ids = new DisplayIds(new byte[32]);
        var viewer = new Participant("user_" + Sub, "Alice", ParticipantRole.Viewer);
        var shown = ids.For("show1", viewer);
        Assert.Equal(shown, ids.MuteKey("show1", shown));
        Assert.Equal(shown, ids.MuteKey("show1", "user_" + Sub));
        Assert.NotEqual(shown, ids.For("show2", viewer));
        Assert.NotEqual(shown, new DisplayIds(new byte[32] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }).For("show1", viewer));
        Assert.Equal("host_show1", ids.For("show1", new Participant("host_show1", "Host", ParticipantRole.Host)));
    }
}
