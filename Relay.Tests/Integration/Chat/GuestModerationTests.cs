using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Chat;

namespace Relay.Tests.Integration.Chat;

/// <summary>Moderation that holds for an identity, not for a Join: mutes across re-Joins and reconnects, the room's
/// message budget, banned terms through look-alike code points.</summary>
public sealed class GuestModerationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(HubConnection Connection, JoinSnapshot Joined)> JoinedAsync(ChatTestHost host, string protocol, string? token = null)
    {
        var connection = host.Connect(protocol, token);
        await connection.StartAsync(Ct);
        return (connection, await connection.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions { DisplayName = "same" }, Ct));
    }

    private static Task Say(HubConnection connection, string text) => connection.InvokeAsync("SendMessage", text, Ct);

    private static Task<JoinSnapshot> Rejoin(HubConnection connection) =>
        connection.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions { DisplayName = "same" }, Ct);

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task A_mute_holds_for_a_guest_token_across_re_Join_and_reconnect(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync();
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        var guest = await Guests.MintAsync(host);
        var (first, joined) = await JoinedAsync(host, protocol, guest.GuestToken);
        await using (first)
        {
            await seller.InvokeAsync("Mute", joined.You.UserId, 600, Ct);
            await ChatHubTests.Refused("muted", () => Say(first, "hi"));
            await Rejoin(first);
            await ChatHubTests.Refused("muted", () => Say(first, "back"));
        }
        var (second, _) = await JoinedAsync(host, protocol, guest.GuestToken);
        await using (second)
        {
            await ChatHubTests.Refused("muted", () => Say(second, "new socket"));
            await seller.InvokeAsync("Mute", joined.You.UserId, 0, Ct);
            await Say(second, "unmuted");
        }
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task A_mute_of_a_tokenless_guest_holds_across_re_Join_and_for_its_address_after_a_reconnect(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync();
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        var (first, joined) = await JoinedAsync(host, protocol);
        await using (first)
        {
            await seller.InvokeAsync("Mute", joined.You.UserId, 600, Ct);
            // The review's M5 repro: Join again with the same name, speak.
            var again = await Rejoin(first);
            Assert.Equal(joined.You.UserId, again.You.UserId);
            await ChatHubTests.Refused("muted", () => Say(first, "back"));
        }
        // A new connection is a new tokenless guest, from the same address: still muted.
        var (second, rejoined) = await JoinedAsync(host, protocol);
        await using (second)
        {
            Assert.NotEqual(joined.You.UserId, rejoined.You.UserId);
            await ChatHubTests.Refused("muted", () => Say(second, "new socket"));
        }
        // A guest with its own token is its own identity, even from the same address.
        var other = await Guests.MintAsync(host);
        var (signed, _) = await JoinedAsync(host, protocol, other.GuestToken);
        await using (signed) await Say(signed, "not me");

        await seller.InvokeAsync("Mute", joined.You.UserId, 0, Ct);
        var (third, _) = await JoinedAsync(host, protocol);
        await using (third) await Say(third, "unmuted");
    }

    [Fact]
    public async Task The_room_budget_refuses_non_moderator_messages_past_it_with_slow_mode()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 20, 0, 0, TimeSpan.Zero));
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Chat:RoomMessageBurst"] = "3",
            ["Relay:Chat:RoomMessagesPerSecond"] = "0.5",
        }, services: s => s.AddSingleton<TimeProvider>(clock));
        await using var seller = await Buyers.JoinedAsync(host, "messagepack", ChatTestHost.HostKey);
        var viewers = new List<HubConnection>();
        try
        {
            for (var i = 0; i < 4; i++) viewers.Add((await JoinedAsync(host, "messagepack")).Connection);
            // Each connection is far inside its own allowance (5 per 10 s); together they reach the room's.
            for (var i = 0; i < 3; i++) await Say(viewers[i], $"m{i}");
            var busy = await ChatHubTests.Refused("slow_mode", () => Say(viewers[3], "one too many"));
            Assert.Equal("slow_mode: the room is busy, wait 2 s", busy.Message);
            await Say(seller, "hosts are not counted");
            clock.Advance(TimeSpan.FromSeconds(2));
            await Say(viewers[3], "room refilled");
            await ChatHubTests.Refused("slow_mode", () => Say(viewers[0], "and empty again"));
        }
        finally
        {
            await Task.WhenAll(viewers.Select(v => v.DisposeAsync().AsTask()));
        }
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Banned_terms_are_matched_through_compatibility_forms_tags_variation_selectors_and_marks(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Chat:BannedTerms:0"] = "spoiler",
            ["Relay:Chat:BannedTerms:1"] = "代购",
            ["Relay:Chat:RateLimitMessages"] = "100",
        });
        var (viewer, _) = await JoinedAsync(host, protocol);
        await using var _v = viewer;
        foreach (var disguised in new[]
                 {
                     "big ｓｐｏｉｌｅｒ", "𝐬𝐩𝐨𝐢𝐥𝐞𝐫!", "𝓈𝓅ℴ𝒾𝓁ℯ𝓇", "ⓢⓟⓞⓘⓛⓔⓡ", "spo\U000E0041iler", "spo\U000E0020\U000E007Filer",
                     "spoi\uFE0Fler", "spo\U000E0100iler", "s\u0336p\u0336o\u0336iler", "SPÖÌLER", "spo\u200Diler", "找代\U000E0020购",
                 })
            await ChatHubTests.Refused("banned_term", () => Say(viewer, disguised));
        // What is shown keeps the text as written: full-width CJK punctuation and emoji variation selectors stay.
        var seen = new EventInbox<ChatMessageView>(viewer, "message");
        await Say(viewer, "好看，❤\uFE0F spoil 𝐛𝐨𝐥𝐝");
        Assert.Equal("好看，❤\uFE0F spoil 𝐛𝐨𝐥𝐝", (await seen.NextAsync()).Text);
    }
}
