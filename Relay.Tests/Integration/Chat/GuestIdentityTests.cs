using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Relay.Chat.Contracts;
using Hub = Relay.Tests.Common.Hosts.Hub;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Chat;

/// <summary>Signed guest identities (`POST /api/v1/guests`), the identity a connection keeps, and who may use which name.</summary>
public sealed class GuestIdentityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string JwtKey = "viewer-jwt-key-for-tests-0123456789abcdef";

    private static async Task<JoinSnapshot> JoinAsync(HubConnection connection, string? name = null) =>
        await connection.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions { DisplayName = name }, Ct);

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task A_guest_token_keeps_one_buyer_across_Joins_and_reconnects_and_a_tokenless_guest_keeps_its_id_per_connection(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync();
        using var http = host.Http();
        using var response = await http.PostAsync("/api/v1/guests", null, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, "a guest token must not be cached");
        var guest = (await response.Content.ReadFromJsonAsync<Guests.Minted>(Ct))!;
        Assert.Matches("^guest_[0-9a-f]{16}$", guest.GuestId);
        Assert.StartsWith("guest.", guest.GuestToken);
        Assert.InRange(guest.ExpiresAt, DateTimeOffset.UtcNow.AddDays(30).AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30).AddMinutes(5));

        string shown;
        await using (var first = host.Connect(protocol, guest.GuestToken))
        {
            await first.StartAsync(Ct);
            var joined = await JoinAsync(first, "Ann");
            // The room shows a display id for the guest (never the guest id itself): stable as long as the guest is.
            shown = joined.You.UserId;
            Assert.Matches("^p_[0-9a-f]{16}$", shown);
            Assert.Equal(("guest", "Ann"), (joined.You.Role, joined.You.DisplayName));
            Assert.Equal(shown, (await JoinAsync(first, "Ann")).You.UserId);
        }
        await using var again = host.Connect(protocol, guest.GuestToken);
        await again.StartAsync(Ct);
        Assert.Equal(shown, (await JoinAsync(again)).You.UserId);

        // Old clients without a token stay guests, but Join again cannot make them someone new.
        await using var tokenless = host.Connect(protocol);
        await tokenless.StartAsync(Ct);
        var id = (await JoinAsync(tokenless)).You.UserId;
        Assert.Equal(id, (await JoinAsync(tokenless, "other name")).You.UserId);
        await using var another = host.Connect(protocol);
        await another.StartAsync(Ct);
        Assert.NotEqual(id, (await JoinAsync(another)).You.UserId);

        Assert.DoesNotContain(host.Logs, line => line.Contains(guest.GuestToken[6..40], StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_forged_tampered_or_expired_guest_token_is_refused_like_a_wrong_credential()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await ChatTestHost.StartAsync(services: s => s.AddSingleton<TimeProvider>(clock));
        var guest = await Guests.MintAsync(host);
        var middle = guest.GuestToken.Length / 2;
        var tampered = guest.GuestToken[..middle] + (guest.GuestToken[middle] == 'A' ? 'B' : 'A') + guest.GuestToken[(middle + 1)..];
        foreach (var bad in new[] { tampered, "guest.", "guest.not-base64!", "guest." + new string('A', 600) })
        {
            await using var connection = host.Connect("json", bad);
            await connection.StartAsync(Ct);
            await ChatHubTests.Refused("unauthorized", () => JoinAsync(connection));
        }

        string shown;
        await using (var first = host.Connect("json", guest.GuestToken))
        {
            await first.StartAsync(Ct);
            shown = (await JoinAsync(first)).You.UserId;
        }
        clock.Advance(TimeSpan.FromDays(29));
        await using (var stillValid = host.Connect("messagepack", guest.GuestToken))
        {
            await stillValid.StartAsync(Ct);
            Assert.Equal(shown, (await JoinAsync(stillValid)).You.UserId);
        }
        clock.Advance(TimeSpan.FromDays(1.01));
        await using var expired = host.Connect("messagepack", guest.GuestToken);
        await expired.StartAsync(Ct);
        await ChatHubTests.Refused("unauthorized", () => JoinAsync(expired));
        Assert.Contains(host.Logs, line => line.Contains("Guest token rejected: expired", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Minting_is_limited_per_client_address_with_429_and_Retry_After()
    {
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Guests:MintBurstPerAddress"] = "3",
            ["Relay:Guests:MintsPerMinutePerAddress"] = "1",
        });
        var kept = await Guests.MintAsync(host);
        string shown;
        await using (var before = host.Connect("json", kept.GuestToken))
        {
            await before.StartAsync(Ct);
            shown = (await JoinAsync(before)).You.UserId;
        }
        await Guests.MintAsync(host);
        await Guests.MintAsync(host);
        using var http = host.Http();
        using var refused = await http.PostAsync("/api/v1/guests", null, Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 60);
        Assert.DoesNotContain("guestToken", await refused.Content.ReadAsStringAsync(Ct));

        // A token minted before stays good: the limit is on becoming someone new, not on being someone.
        await using var connection = host.Connect("json", kept.GuestToken);
        await connection.StartAsync(Ct);
        Assert.Equal(shown, (await JoinAsync(connection)).You.UserId);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task A_purchase_retried_after_a_reconnect_with_the_same_guest_token_is_one_order(string protocol)
    {
        // The review's M4 repro: purchase, lose the socket 0-20 ms later, reconnect, Join, retry the same key.
        const int Rounds = 30;
        await using var host = await ChatTestHost.StartAsync(Guests.Unlimited());
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        await seller.InvokeAsync("Pin", "LIP-1", Ct);
        var answered = new Dictionary<string, string>();
        for (var round = 0; round < Rounds; round++)
        {
            var guest = await Guests.MintAsync(host);
            var (key, referrer) = ($"key-{round}", $"round-{round}");
            var first = await Buyers.JoinedAsync(host, protocol, guest.GuestToken, referrer: referrer);
            var inFlight = first.BuyAsync("LIP-1", 1, key);
            await Task.Delay(Random.Shared.Next(0, 21), Ct);
            await first.DisposeAsync();
            // Its answer, if any, was lost with the socket: that is the case under test.
            try { await inFlight; } catch (Exception) { }

            await using var retry = await Buyers.JoinedAsync(host, protocol, guest.GuestToken, referrer: referrer);
            var result = await retry.BuyAsync("LIP-1", 1, key);
            Assert.Equal(PurchaseStatus.Reserved, result.Status);
            answered[referrer] = result.OrderId!;
        }

        var orders = await Buyers.WaitForOrdersAsync(host, o => o.Count >= Rounds);
        await Task.Delay(300, Ct); // a late first attempt would show up here
        orders = await Buyers.ChannelOrdersAsync(host);
        Assert.Equal(Rounds, orders.Count);
        foreach (var byRound in orders.GroupBy(o => o.Referrer!))
            Assert.Equal(answered[byRound.Key], Assert.Single(byRound).OrderId);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task With_FlashSaleRequiresLogin_guests_get_login_required_in_flash_sales_only(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Commerce:FlashSaleRequiresLogin"] = "true",
            ["Relay:Auth:ViewerJwtKey"] = JwtKey,
        });
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        await seller.InvokeAsync("Pin", "SER-1", Ct);
        await seller.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "LIP-1", PriceCents = 100, Quantity = 10, DurationSeconds = 60 }, Ct);
        var guest = await Guests.MintAsync(host);
        await using var withToken = await Buyers.JoinedAsync(host, protocol, guest.GuestToken);
        await using var tokenless = await Buyers.JoinedAsync(host, protocol);
        await using var viewer = await Buyers.JoinedAsync(host, protocol, PurchaseTests.Token("u1", "Ann", DateTime.UtcNow.AddMinutes(5), JwtKey));

        var refused = await withToken.BuyAsync("LIP-1", 1, "sale");
        Assert.Equal((PurchaseStatus.LoginRequired, (string?)null), (refused.Status, refused.OrderId));
        Assert.Equal(PurchaseStatus.LoginRequired, (await tokenless.BuyAsync("LIP-1", 1, "sale")).Status);
        Assert.Equal(PurchaseStatus.Reserved, (await withToken.BuyAsync("SER-1", 1, "pinned")).Status);
        Assert.Equal(PurchaseStatus.Reserved, (await viewer.BuyAsync("LIP-1", 1, "sale")).Status);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Guests_and_viewers_cannot_take_role_words_or_the_hosts_name(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?> { ["Relay:Auth:ViewerJwtKey"] = JwtKey });
        await using var seller = host.Connect(protocol, ChatTestHost.HostKey);
        await seller.StartAsync(Ct);
        Assert.Equal("Lena Beauty", (await JoinAsync(seller, "Lena Beauty")).You.DisplayName);

        await using var guest = host.Connect(protocol);
        await guest.StartAsync(Ct);
        foreach (var taken in new[] { "Host", "ｈｏｓｔ", "H.O.S.T", "the host", "ADMIN", "Moderator", "主播", "主播小美", "官方客服", "lena beauty", "LenaBeauty ✨" })
        {
            var you = (await JoinAsync(guest, taken)).You;
            Assert.True(System.Text.RegularExpressions.Regex.IsMatch(you.DisplayName, "^Guest [0-9a-f]{4}$"), $"a guest could call itself {taken!} (got {you.DisplayName})");
        }
        foreach (var fine in new[] { "Ghost", "Anna", "小美", "Lena" })
            Assert.Equal(fine, (await JoinAsync(guest, fine)).You.DisplayName);

        await using var viewer = host.Connect(protocol, PurchaseTests.Token("u9", "Host", DateTime.UtcNow.AddMinutes(5), JwtKey));
        await viewer.StartAsync(Ct);
        Assert.Equal("Viewer", (await JoinAsync(viewer)).You.DisplayName);
        // The host itself keeps its name and its default.
        await using var secondHost = host.Connect(protocol, ChatTestHost.HostKey);
        await secondHost.StartAsync(Ct);
        Assert.Equal("Host", (await JoinAsync(secondHost)).You.DisplayName);
    }

    [Fact]
    public async Task Viewer_JWTs_must_carry_the_configured_issuer_and_audience()
    {
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Auth:ViewerJwtKey"] = JwtKey,
            ["Relay:Auth:ViewerJwt:Issuer"] = "https://shop.example",
            ["Relay:Auth:ViewerJwt:Audience"] = "relay",
        });
        async Task<string?> RoleOf(string token)
        {
            await using var connection = host.Connect("json", token);
            await connection.StartAsync(Ct);
            try { return (await JoinAsync(connection)).You.Role; }
            catch (HubException ex) when (ex.Message.StartsWith("unauthorized:", StringComparison.Ordinal)) { return null; }
        }
        Assert.Equal("viewer", await RoleOf(Jwt("https://shop.example", "relay")));
        Assert.Null(await RoleOf(Jwt("https://shop.example", "crm")));
        Assert.Null(await RoleOf(Jwt("https://other.example", "relay")));
        Assert.Null(await RoleOf(Jwt(null, null)));
        // The previous key-only setup (no Issuer/Audience) still accepts any iss/aud: covered by PurchaseTests.
    }

    [Fact]
    public async Task Bad_guest_and_viewer_JWT_settings_stop_start_naming_the_key()
    {
        var ex = await Assert.ThrowsAsync<AggregateException>(() => ChatTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Guests:TokenLifetimeDays"] = "0",
            ["Relay:Guests:MintsPerMinutePerAddress"] = "0",
            ["Relay:Auth:ViewerJwt:Audience"] = "relay",
            ["Relay:Chat:RoomMessageBurst"] = "0",
            ["Relay:Chat:ReservedDisplayNames:0"] = "!!",
        }));
        Assert.All(ex.InnerExceptions, e => Assert.IsType<OptionsValidationException>(e));
        foreach (var key in new[] { "Relay:Guests:TokenLifetimeDays", "Relay:Guests:MintsPerMinutePerAddress", "Relay:Auth:ViewerJwt:Audience",
                     "Relay:Chat:RoomMessageBurst", "Relay:Chat:ReservedDisplayNames" })
            Assert.Contains(key, ex.Message);
    }

    private static string Jwt(string? issuer, string? audience) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = "u7", ["name"] = "Ann" },
            Issuer = issuer,
            Audience = audience,
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(JwtKey)), SecurityAlgorithms.HmacSha256),
        });
}
