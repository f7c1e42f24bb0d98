using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HubException = Microsoft.AspNetCore.SignalR.HubException;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Relay.Chat.Channels;
using Relay.Chat.Contracts;
using Relay.Chat.Crm;
using Relay.Tests.Common;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Peers;

namespace Relay.Tests.Integration.Chat;

/// <summary>
/// Follow, Unfollow and RemindMe (issue 16) over real SignalR clients in both protocols, and the CRM webhook behind them
/// played by a real HTTP receiver that verifies every Standard Webhooks signature with its own code: the first follow of
/// a viewer (ever) and each reminder per next show reach the CRM exactly once in effect, with the order API's answer
/// classes, backoff, dead letters and re-send; a kill -9 with an event pending still delivers it once.
/// </summary>
public sealed class FollowCrmTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string JwtKey = "viewer-jwt-key-for-follow-tests-0123456789";

    /// <summary>A Standard Webhooks secret: whsec_ + base64 of 32 bytes.</summary>
    internal const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYo=";

    private static string Viewer(string sub, string name = "") => PurchaseTests.Token(sub, name.Length > 0 ? name : sub, DateTime.UtcNow.AddMinutes(10), JwtKey);

    private static Task<ChatTestHost> HostAsync(Uri? crm, params (string Key, string Value)[] settings)
    {
        var config = new Dictionary<string, string?>
        {
            ["Relay:Auth:ViewerJwtKey"] = JwtKey,
            ["Relay:Crm:SigningSecret"] = Secret,
            ["Relay:Crm:InitialBackoffMilliseconds"] = "20",
            ["Relay:Crm:MaxBackoffSeconds"] = "0.2",
            ["Relay:Crm:PollIntervalMilliseconds"] = "200",
            ["Relay:Crm:ApiKey"] = "crm-api-key-0123",
        };
        if (crm is not null) config["Relay:Crm:Endpoint"] = crm.ToString();
        foreach (var (key, value) in settings) config[key] = value;
        return ChatTestHost.StartAsync(config);
    }

    private static async Task<(HubConnection Connection, JoinSnapshot Snapshot)> JoinAsync(ChatTestHost host, string protocol, string? token, string? referrer = null)
    {
        var connection = host.Connect(protocol, token);
        await connection.StartAsync(Ct);
        var snapshot = await connection.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions { Referrer = referrer }, Ct);
        return (connection, snapshot);
    }

    private static async Task<List<CrmEventRecord>> EventsAsync(ChatTestHost host) =>
        [.. await host.Services.GetRequiredService<ICrmOutbox>().ListAsync(ChatTestHost.Channel, Ct)];

    private static async Task<CrmEventRecord> WaitForEventAsync(ChatTestHost host, string eventId, string status, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var events = await EventsAsync(host);
            if (events.FirstOrDefault(e => e.EventId == eventId) is { } found && found.Status == status) return found;
            Assert.True(DateTime.UtcNow < deadline, $"{eventId} never became {status}: " + string.Join(", ", events.Select(e => $"{e.EventId}={e.Status}/{e.Attempts}")));
            await Task.Delay(20, Ct);
        }
    }

    private static async Task<HttpResponseMessage> GetAsync(ChatTestHost host, string path, string token)
    {
        using var http = host.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request, Ct);
    }

    private static async Task UntilAsync(Func<bool> condition, string what, double seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out: {what}");
            await Task.Delay(20, Ct);
        }
    }

    private static async Task Refused(string reason, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<HubException>(call);
        Assert.StartsWith(reason + ": ", ex.Message);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Follow_twice_unfollow_and_follow_again_send_one_signed_CRM_event(string protocol)
    {
        await using var crm = await ScriptedWebhook.StartAsync(Secret);
        await using var host = await HostAsync(crm.Endpoint);
        var (ann, joined) = await JoinAsync(host, protocol, Viewer("ann", "Ann"), referrer: "sharer-1");
        await using var owned1 = ann;
        Assert.False(joined.You.Following);

        Assert.True((await ann.InvokeAsync<FollowResult>("Follow", Ct)).Following);
        Assert.True((await ann.InvokeAsync<FollowResult>("Follow", Ct)).Following);
        Assert.False((await ann.InvokeAsync<FollowResult>("Unfollow", Ct)).Following);
        Assert.True((await ann.InvokeAsync<FollowResult>("Follow", Ct)).Following);

        var eventId = $"follow:{ChatTestHost.Channel}:user_ann";
        await WaitForEventAsync(host, eventId, CrmEventStatus.Delivered);
        await Task.Delay(500, Ct); // nothing else is on its way
        var call = Assert.Single(crm.Calls);
        Assert.Equal(eventId, call.Key);
        Assert.Equal(eventId, call.WebhookId);
        Assert.True(call.SignatureValid, "the receiver's own check of the signature failed");
        Assert.Equal("Bearer crm-api-key-0123", call.Authorization);
        using var body = JsonDocument.Parse(call.Body);
        var root = body.RootElement;
        Assert.Equal("follow", root.GetProperty("event").GetString());
        Assert.Equal(ChatTestHost.Channel, root.GetProperty("channelId").GetString());
        Assert.Equal("user_ann", root.GetProperty("buyerId").GetString());
        Assert.Equal("Ann", root.GetProperty("buyerName").GetString());
        Assert.Equal("sharer-1", root.GetProperty("referrer").GetString());
        Assert.True(root.TryGetProperty("at", out _));
        Assert.False(root.TryGetProperty("nextShowAt", out _));
        Assert.Equal(1, crm.Taken[eventId]);

        // A new connection's snapshot says so; the followers list (host key) has her.
        var (again, snapshot) = await JoinAsync(host, protocol, Viewer("ann", "Ann"));
        await using var owned2 = again;
        Assert.True(snapshot.You.Following);
        using var list = await GetAsync(host, $"/api/v1/channels/{ChatTestHost.Channel}/followers?limit=10", ChatTestHost.HostKey);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        using var page = JsonDocument.Parse(await list.Content.ReadAsStringAsync(Ct));
        Assert.Equal(1, page.RootElement.GetProperty("total").GetInt32());
        var item = Assert.Single(page.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal("user_ann", item.GetProperty("buyerId").GetString());
        Assert.Equal("Ann", item.GetProperty("buyerName").GetString());
        Assert.Equal(JsonValueKind.Null, page.RootElement.GetProperty("nextCursor").ValueKind);
    }

    [Fact]
    public async Task The_followers_list_pages_with_a_cursor_and_refuses_strangers_and_bad_input()
    {
        await using var host = await HostAsync(null);
        foreach (var name in new[] { "a1", "a2", "a3" })
        {
            var (c, _) = await JoinAsync(host, "json", Viewer(name));
            await using var connection = c;
            await connection.InvokeAsync<FollowResult>("Follow", Ct);
        }
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            using var response = await GetAsync(host, $"/api/v1/channels/{ChatTestHost.Channel}/followers?limit=2" + (cursor is null ? "" : "&cursor=" + cursor), InMemoryChannelDirectory.AdminToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            seen.AddRange(page.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("buyerId").GetString()!));
            cursor = page.RootElement.GetProperty("nextCursor").GetString();
        } while (cursor is not null);
        Assert.Equal(["user_a1", "user_a2", "user_a3"], seen.Order());
        // With Crm:Endpoint unset, follows work and nothing is queued.
        Assert.Empty(await EventsAsync(host));

        using (var other = await GetAsync(host, $"/api/v1/channels/{ChatTestHost.Channel}/followers", "host-key-show2-abcdefghijklmnop"))
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        using (var bad = await GetAsync(host, $"/api/v1/channels/{ChatTestHost.Channel}/followers?limit=0", ChatTestHost.HostKey))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using (var badCursor = await GetAsync(host, $"/api/v1/channels/{ChatTestHost.Channel}/followers?limit=2&cursor=%%%", ChatTestHost.HostKey))
            Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
        using (var missing = await GetAsync(host, "/api/v1/channels/nope/followers", InMemoryChannelDirectory.AdminToken))
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task A_guest_gets_login_required_a_host_invalid_and_nothing_is_stored(string protocol)
    {
        await using var crm = await ScriptedWebhook.StartAsync(Secret);
        await using var host = await HostAsync(crm.Endpoint);
        var (guest, snapshot) = await JoinAsync(host, protocol, null);
        await using var owned3 = guest;
        Assert.Null(snapshot.You.Following);
        await Refused("login_required", () => guest.InvokeAsync<FollowResult>("Follow", Ct));
        await Refused("login_required", () => guest.InvokeAsync<FollowResult>("Unfollow", Ct));
        await Refused("login_required", () => guest.InvokeAsync<RemindResult>("RemindMe", Ct));
        var (seller, _) = await JoinAsync(host, protocol, ChatTestHost.HostKey);
        await using var owned4 = seller;
        await Refused("invalid", () => seller.InvokeAsync<FollowResult>("Follow", Ct));
        await using var notJoined = host.Connect(protocol, Viewer("bob"));
        await notJoined.StartAsync(Ct);
        await Refused("not_joined", () => notJoined.InvokeAsync<FollowResult>("Follow", Ct));

        await Task.Delay(300, Ct);
        Assert.Empty(await EventsAsync(host));
        Assert.Empty(crm.Calls);
        using var list = await GetAsync(host, $"/api/v1/channels/{ChatTestHost.Channel}/followers", ChatTestHost.HostKey);
        using var page = JsonDocument.Parse(await list.Content.ReadAsStringAsync(Ct));
        Assert.Equal(0, page.RootElement.GetProperty("total").GetInt32());
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task RemindMe_sends_one_event_per_announced_next_show(string protocol)
    {
        await using var crm = await ScriptedWebhook.StartAsync(Secret);
        await using var host = await HostAsync(crm.Endpoint);
        var (ann, _) = await JoinAsync(host, protocol, Viewer("ann"));
        await using var owned5 = ann;
        await Refused("invalid", () => ann.InvokeAsync<RemindResult>("RemindMe", Ct));

        var rooms = host.Services.GetRequiredService<ILiveRoomControl>();
        var first = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds());
        var nextShow = new EventInbox<NextShowEvent>(ann, "nextShow");
        await rooms.NextShowChangedAsync(ChatTestHost.Channel, first, Ct);
        await nextShow.NextAsync();
        Assert.True((await ann.InvokeAsync<RemindResult>("RemindMe", Ct)).Reminded);
        Assert.True((await ann.InvokeAsync<RemindResult>("RemindMe", Ct)).Reminded);
        var second = first.AddHours(2);
        await rooms.NextShowChangedAsync(ChatTestHost.Channel, second, Ct);
        await nextShow.NextAsync();
        Assert.True((await ann.InvokeAsync<RemindResult>("RemindMe", Ct)).Reminded);

        var firstId = $"remind:{ChatTestHost.Channel}:user_ann:{first.ToUnixTimeSeconds()}";
        var secondId = $"remind:{ChatTestHost.Channel}:user_ann:{second.ToUnixTimeSeconds()}";
        await WaitForEventAsync(host, firstId, CrmEventStatus.Delivered);
        await WaitForEventAsync(host, secondId, CrmEventStatus.Delivered);
        await Task.Delay(300, Ct);
        Assert.Equal([firstId, secondId], crm.Calls.Select(c => c.Key).Order());
        Assert.All(crm.Calls, c => Assert.True(c.SignatureValid));
        var body = JsonDocument.Parse(crm.Calls.Single(c => c.Key == secondId).Body).RootElement;
        Assert.Equal("remind", body.GetProperty("event").GetString());
        Assert.Equal(second, body.GetProperty("nextShowAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_503_then_200_delivers_once_with_the_same_webhook_id_and_a_400_fails_for_good()
    {
        await using var crm = await ScriptedWebhook.StartAsync(Secret);
        crm.Script = call => call.Key.EndsWith(":user_bad", StringComparison.Ordinal) ? (400, null)
            : call.Attempt == 1 ? (503, "0") : (200, null);
        await using var host = await HostAsync(crm.Endpoint);
        var (ann, _) = await JoinAsync(host, "json", Viewer("ann"));
        var (bad, _) = await JoinAsync(host, "json", Viewer("bad"));
        await using var owned6 = ann;
        await using var owned7 = bad;
        await ann.InvokeAsync<FollowResult>("Follow", Ct);
        await bad.InvokeAsync<FollowResult>("Follow", Ct);

        var annId = $"follow:{ChatTestHost.Channel}:user_ann";
        var delivered = await WaitForEventAsync(host, annId, CrmEventStatus.Delivered);
        Assert.Equal(2, delivered.Attempts);
        var failed = await WaitForEventAsync(host, $"follow:{ChatTestHost.Channel}:user_bad", CrmEventStatus.Failed);
        Assert.Equal((1, "HTTP 400"), (failed.Attempts, failed.LastError));
        await Task.Delay(300, Ct);
        var calls = crm.Calls.Where(c => c.Key == annId).ToList();
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.Equal((annId, true), (c.WebhookId, c.SignatureValid)));
        Assert.Single(crm.Calls, c => c.Key.EndsWith(":user_bad", StringComparison.Ordinal));
        Assert.Equal(1, crm.Taken[annId]);
    }

    [Fact]
    public async Task After_MaxAttempts_an_event_is_a_dead_letter_the_admin_can_send_again()
    {
        await using var crm = await ScriptedWebhook.StartAsync(Secret);
        var healthy = false;
        crm.Script = _ => healthy ? (200, null) : (500, null);
        await using var host = await HostAsync(crm.Endpoint, ("Relay:Crm:MaxAttempts", "3"));
        host.AllowedErrors.Add("dead-lettered");
        var (ann, _) = await JoinAsync(host, "json", Viewer("ann"));
        await using var owned8 = ann;
        await ann.InvokeAsync<FollowResult>("Follow", Ct);
        var eventId = $"follow:{ChatTestHost.Channel}:user_ann";
        var dead = await WaitForEventAsync(host, eventId, CrmEventStatus.DeadLetter);
        Assert.Equal((3, "HTTP 500"), (dead.Attempts, dead.LastError));

        using (var list = await GetAsync(host, "/api/v1/crm/dead-letters", InMemoryChannelDirectory.AdminToken))
        {
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            using var json = JsonDocument.Parse(await list.Content.ReadAsStringAsync(Ct));
            var item = Assert.Single(json.RootElement.EnumerateArray());
            Assert.Equal(eventId, item.GetProperty("eventId").GetString());
            Assert.Equal("follow", item.GetProperty("body").GetProperty("event").GetString());
        }
        using (var asHost = await GetAsync(host, "/api/v1/crm/dead-letters", ChatTestHost.HostKey))
            Assert.Equal(HttpStatusCode.Forbidden, asHost.StatusCode);

        healthy = true;
        using var http = host.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", InMemoryChannelDirectory.AdminToken);
        using (var again = await http.PostAsync($"/api/v1/crm/dead-letters/{Uri.EscapeDataString(eventId)}/redeliver", null, Ct))
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        await WaitForEventAsync(host, eventId, CrmEventStatus.Delivered);
        using (var twice = await http.PostAsync($"/api/v1/crm/dead-letters/{Uri.EscapeDataString(eventId)}/redeliver", null, Ct))
            Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        using (var unknown = await http.PostAsync("/api/v1/crm/dead-letters/nope/redeliver", null, Ct))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(4, crm.Calls.Count);
        Assert.All(crm.Calls, c => Assert.Equal((eventId, eventId, true), (c.Key, c.WebhookId, c.SignatureValid)));
        Assert.Equal(1, crm.Taken[eventId]);
    }

    [Fact]
    public async Task A_CRM_event_pending_at_a_kill_9_is_delivered_once_after_restart()
    {
        await using var crm = await ScriptedWebhook.StartAsync(Secret);
        var phase = 1;
        crm.Script = _ => phase == 1 ? (503, null) : (200, null);
        var dataDir = Directory.CreateTempSubdirectory("relay-crm-crash-").FullName;
        await using var orders = await ScriptedOrderApi.StartAsync();
        var settings = new Dictionary<string, string>
        {
            ["Relay:Auth:ViewerJwtKey"] = JwtKey,
            ["Relay:Crm:Endpoint"] = crm.Endpoint.ToString(),
            ["Relay:Crm:SigningSecret"] = Secret,
            ["Relay:Crm:MaxAttempts"] = "1000",
            ["Relay:Crm:InitialBackoffMilliseconds"] = "20",
            ["Relay:Crm:MaxBackoffSeconds"] = "0.1",
        };
        ChildChatHost? first = null, second = null;
        try
        {
            first = await ChildChatHost.StartAsync(dataDir, orders.Endpoint, settings);
            await using (var ann = Hub.Build(new Uri(first.BaseAddress, "/hubs/live?access_token=" + Viewer("ann")), "json"))
            {
                await ann.StartAsync(Ct);
                await ann.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
                Assert.True((await ann.InvokeAsync<FollowResult>("Follow", Ct)).Following);
            }
            var eventId = $"follow:{ChatTestHost.Channel}:user_ann";
            await UntilAsync(() => crm.Calls.Count(c => c.Key == eventId) >= 2, "the CRM event never reached the CRM before the kill");
            first.Kill();

            phase = 2;
            second = await ChildChatHost.StartAsync(dataDir, orders.Endpoint, settings);
            await UntilAsync(() => crm.Taken.ContainsKey(eventId), "the CRM event was not delivered after the restart");
            await Task.Delay(500, Ct);
            Assert.Equal(1, crm.Taken[eventId]);
            Assert.Single(crm.Calls, c => c.Key == eventId && crm.Taken.ContainsKey(c.Key) && c == crm.Calls.Last(x => x.Key == eventId));
            Assert.All(crm.Calls, c => Assert.Equal((eventId, eventId, true), (c.Key, c.WebhookId, c.SignatureValid)));
        }
        finally
        {
            if (second is not null) await second.DisposeAsync();
            if (first is not null) await first.DisposeAsync();
        }
    }

    [Fact]
    public async Task Orders_are_signed_with_Orders_SigningSecret_and_the_order_id_as_webhook_id()
    {
        const string plain = "a plain-text order signing secret, 24+ bytes";
        await using var api = await ScriptedWebhook.StartAsync(plain);
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Orders:Endpoint"] = api.Endpoint.ToString(),
            ["Relay:Orders:SigningSecret"] = plain,
        });
        await using var seller = await Buyers.JoinedAsync(host, "json", ChatTestHost.HostKey);
        await using var buyer = await Buyers.JoinedAsync(host, "json");
        await seller.InvokeAsync("Pin", "SER-1", Ct);
        var bought = await buyer.BuyAsync("SER-1", 1, "k1");
        await Buyers.WaitForOrdersAsync(host, o => o.Any(x => x.OrderId == bought.OrderId && x.Status == "confirmed"));
        var call = Assert.Single(api.Calls);
        Assert.Equal((bought.OrderId, bought.OrderId, true), (call.Key, call.WebhookId, call.SignatureValid));
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains(plain, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_node_example_receiver_verifies_Relays_real_signed_deliveries_and_refuses_bad_ones()
    {
        var script = Path.Combine(ClusterLoadBalancer.RepoRoot, "docs", "examples", "webhook-receiver.mjs");
        var start = new ProcessStartInfo("node", [script]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["WEBHOOK_SECRET"] = Secret;
        start.Environment["PORT"] = "0";
        using var node = Process.Start(start)!;
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        node.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line) return;
            lines.Enqueue(line);
            if (line.Contains("\"listening\"", StringComparison.Ordinal))
                listening.TrySetResult(JsonDocument.Parse(line).RootElement.GetProperty("listening").GetString()!);
        };
        node.BeginOutputReadLine();
        try
        {
            var endpoint = new Uri(await listening.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct));
            await using var host = await HostAsync(endpoint);
            var (ann, _) = await JoinAsync(host, "json", Viewer("ann"));
            await using var owned9 = ann;
            await ann.InvokeAsync<FollowResult>("Follow", Ct);
            var eventId = $"follow:{ChatTestHost.Channel}:user_ann";
            await WaitForEventAsync(host, eventId, CrmEventStatus.Delivered);
            await UntilAsync(() => lines.Any(l => l.Contains("\"verified\":true", StringComparison.Ordinal)), "node printed no verified event");
            var verified = JsonDocument.Parse(lines.First(l => l.Contains("\"verified\":true", StringComparison.Ordinal))).RootElement;
            Assert.Equal(eventId, verified.GetProperty("id").GetString());
            Assert.Equal("follow", verified.GetProperty("event").GetString());

            // A forged signature and a stale timestamp are refused with 401.
            using var http = new HttpClient();
            async Task<HttpStatusCode> PostAsync(string signature, long timestamp)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent("{\"event\":\"follow\"}") };
                request.Headers.TryAddWithoutValidation("webhook-id", "forged");
                request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
                request.Headers.TryAddWithoutValidation("webhook-signature", signature);
                using var response = await http.SendAsync(request, Ct);
                return response.StatusCode;
            }
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync("v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", now));
            var key = ScriptedWebhook.Key(Secret);
            var stale = now - 600;
            var staleSignature = Relay.Chat.Webhooks.WebhookSignature.Sign(key, "forged", stale, "{\"event\":\"follow\"}"u8);
            Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(staleSignature, stale));
            var fresh = Relay.Chat.Webhooks.WebhookSignature.Sign(key, "forged", now, "{\"event\":\"follow\"}"u8);
            Assert.Equal(HttpStatusCode.OK, await PostAsync(fresh, now));
        }
        finally
        {
            node.Kill(entireProcessTree: true);
            await node.WaitForExitAsync(Ct);
        }
    }
}
