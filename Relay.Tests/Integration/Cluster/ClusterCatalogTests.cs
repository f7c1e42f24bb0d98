using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;
using Relay.Chat.Contracts;
using Relay.Tests.Common;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Hub = Relay.Tests.Common.Hosts.Hub;

namespace Relay.Tests.Integration.Cluster;

/// <summary>
/// The channel catalog is one catalog on every node: it lives in PostgreSQL, a write on one node reaches the others'
/// memory and observers (ingest keys, destinations, room line-ups) through LISTEN/NOTIFY, identities minted on one
/// node are accepted on the others (the Data Protection key ring is shared), and nodes starting together on an empty
/// database seed it once. Two real child-process nodes on real PostgreSQL and Redis share one bed per class.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterCatalogTests(ClusterCatalogTests.TwoNodes nodes) : IClassFixture<ClusterCatalogTests.TwoNodes>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ClusterTestNode A => nodes.Bed.Nodes[0];

    private ClusterTestNode B => nodes.Bed.Nodes[1];

    [Fact]
    public async Task A_channel_created_on_a_is_listed_and_read_on_b_and_its_deletion_reaches_b()
    {
        using var onA = A.Admin();
        using var onB = B.Admin();
        var created = await CreateChannelAsync(onA, "Catalog show");

        await EventuallyAsync(async () => (await onB.GetAsync($"/api/v1/channels/{created.Id}", Ct)).StatusCode == HttpStatusCode.OK, "B reads the channel");
        var listed = JsonDocument.Parse(await onB.GetStringAsync("/api/v1/channels", Ct)).RootElement;
        var items = listed.ValueKind == JsonValueKind.Array ? listed : listed.GetProperty("items");
        Assert.Contains(items.EnumerateArray(), c => c.GetProperty("id").GetString() == created.Id && c.GetProperty("title").GetString() == "Catalog show");
        // The same secret on both nodes: stored encrypted with the key ring they share.
        Assert.Equal(created.StreamKey, await StreamKeyAsync(onB, created.Id));

        Assert.Equal(HttpStatusCode.NoContent, (await onA.DeleteAsync($"/api/v1/channels/{created.Id}", Ct)).StatusCode);
        await EventuallyAsync(async () => (await onB.GetAsync($"/api/v1/channels/{created.Id}", Ct)).StatusCode == HttpStatusCode.NotFound, "B forgets the deleted channel");
    }

    [Fact]
    public async Task A_stream_key_rotated_on_a_cuts_the_publisher_on_b_and_only_the_new_key_publishes_there()
    {
        FfmpegAvailability.SkipIfMissing();
        using var onA = A.Admin();
        using var onB = B.Admin();
        var created = await CreateChannelAsync(onA, "Rotation show");
        await EventuallyAsync(async () => (await onB.GetAsync($"/api/v1/channels/{created.Id}", Ct)).StatusCode == HttpStatusCode.OK, "B reads the channel");

        using (var first = FfmpegPublisher.Start($"rtmp://127.0.0.1:{B.RtmpPort}/live/{created.StreamKey}", seconds: 60))
        {
            await EventuallyAsync(() => LiveAsync(onB, created.Id), "the publisher is live on B");

            using var rotate = await onA.PostAsync($"/api/v1/channels/{created.Id}/stream-key/rotate", null, Ct);
            Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
            var rotated = (await rotate.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("streamKey").GetString()!;

            // B's ingest observer heard the rotation made on A and cut the publisher it holds.
            Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(15)), "the publisher on B was not cut by the rotation on A");
            Assert.Equal(rotated, await StreamKeyAsync(onB, created.Id));

            using var stale = FfmpegPublisher.Start($"rtmp://127.0.0.1:{B.RtmpPort}/live/{created.StreamKey}", seconds: 10);
            Assert.True(await stale.WaitForExitAsync(TimeSpan.FromSeconds(15)), "the old key was not refused on B");
            Assert.NotEqual(0, stale.ExitCode);
            Assert.False(await LiveAsync(onB, created.Id));

            using var fresh = FfmpegPublisher.Start($"rtmp://127.0.0.1:{B.RtmpPort}/live/{rotated}", seconds: 60);
            await EventuallyAsync(() => LiveAsync(onB, created.Id), "the new key is live on B");
        }
        Assert.Equal(HttpStatusCode.NoContent, (await onA.DeleteAsync($"/api/v1/channels/{created.Id}", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_destination_added_on_a_appears_on_b()
    {
        using var onA = A.Admin();
        using var onB = B.Admin();
        var created = await CreateChannelAsync(onA, "Destination show");
        using var add = await onA.PostAsync($"/api/v1/channels/{created.Id}/destinations", RelayServerTest.JsonBody(
            """{"id":"yt","name":"YouTube main","platform":"youtube","streamKey":"abcd-efgh-ijkl-mnop","enabled":false,"trackId":2}"""), Ct);
        Assert.Equal(HttpStatusCode.Created, add.StatusCode);

        await EventuallyAsync(async () =>
        {
            using var response = await onB.GetAsync($"/api/v1/channels/{created.Id}/destinations", Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            // The E-RTMP track is stored in PostgreSQL too (channel_destinations.track_id, migration step 4).
            return response.StatusCode == HttpStatusCode.OK && text.Contains("\"YouTube main\"", StringComparison.Ordinal)
                && text.Contains("\"trackId\":2", StringComparison.Ordinal);
        }, "B lists the destination with its trackId");
        Assert.Equal(HttpStatusCode.NoContent, (await onA.DeleteAsync($"/api/v1/channels/{created.Id}", Ct)).StatusCode);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task The_rehearsal_switch_and_next_show_set_on_a_reach_b_and_a_viewer_joined_there(string protocol)
    {
        FfmpegAvailability.SkipIfMissing();
        using var onA = A.Admin();
        using var onB = B.Admin();
        var created = await CreateChannelAsync(onA, $"Schedule show {protocol}");
        await using var viewer = Hub.Build(new Uri(B.BaseUrl, "/hubs/live"), protocol);
        var nextShow = new EventInbox<NextShowEvent>(viewer, "nextShow");
        await EventuallyAsync(async () => (await onB.GetAsync($"/api/v1/channels/{created.Id}", Ct)).StatusCode == HttpStatusCode.OK, "B reads the channel");
        await viewer.StartAsync(Ct);
        Assert.Null((await viewer.InvokeAsync<JoinSnapshot>("Join", created.Id, new JoinOptions { DisplayName = "Viewer" }, Ct)).NextShowAt);

        var at = DateTimeOffset.UtcNow.AddDays(3);
        var text = at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        using var patch = await onA.PatchAsync($"/api/v1/channels/{created.Id}", RelayServerTest.JsonBody($$"""{"rehearsal":true,"nextShowAt":"{{text}}"}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);

        // PostgreSQL holds both (migration 2), and B's catalog follows the notification.
        await EventuallyAsync(async () =>
        {
            var channel = JsonDocument.Parse(await onB.GetStringAsync($"/api/v1/channels/{created.Id}", Ct)).RootElement;
            return channel.GetProperty("rehearsal").GetBoolean()
                && channel.TryGetProperty("nextShowAt", out var next) && next.ValueKind == JsonValueKind.String
                && next.GetDateTimeOffset().ToUnixTimeSeconds() == at.ToUnixTimeSeconds();
        }, "B reads the rehearsal switch and the next show");
        var heard = await nextShow.NextAsync(seconds: 15);
        Assert.Equal(at.ToUnixTimeSeconds(), new DateTimeOffset(DateTime.SpecifyKind(heard.NextShowAt!.Value, DateTimeKind.Utc)).ToUnixTimeSeconds());

        // A publisher on A rehearses: B (which only hears A's lease) reads it not live, and its viewer never hears live.
        {
            using var rehearsing = FfmpegPublisher.Start($"rtmp://127.0.0.1:{A.RtmpPort}/live/{created.StreamKey}", seconds: 60);
            await EventuallyAsync(async () =>
            {
                var channel = JsonDocument.Parse(await onB.GetStringAsync($"/api/v1/channels/{created.Id}", Ct)).RootElement;
                return channel.TryGetProperty("ingest", out var ingest) && ingest.ValueKind == JsonValueKind.Object
                    && ingest.GetProperty("rehearsal").GetBoolean() && !channel.GetProperty("live").GetBoolean();
            }, "B reads the publish on A as a rehearsal");
            Assert.False((await viewer.InvokeAsync<JoinSnapshot>("Join", created.Id, new JoinOptions { DisplayName = "Viewer" }, Ct)).Live);
        }

        // Both nodes' observers publish the change: the viewer hears it once, so the next event is the clearing.
        using var clear = await onA.PatchAsync($"/api/v1/channels/{created.Id}", RelayServerTest.JsonBody("""{"nextShowAt":null}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, clear.StatusCode);
        Assert.Null((await nextShow.NextAsync(seconds: 15)).NextShowAt);
        Assert.Equal(HttpStatusCode.NoContent, (await onA.DeleteAsync($"/api/v1/channels/{created.Id}", Ct)).StatusCode);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task A_lineup_changed_on_a_reaches_a_viewer_joined_on_b(string protocol)
    {
        using var onA = A.Admin();
        var created = await CreateChannelAsync(onA, $"Lineup show {protocol}");
        await using var viewer = Hub.Build(new Uri(B.BaseUrl, "/hubs/live"), protocol);
        var stock = new EventInbox<StockEvent>(viewer, "stock");
        using var onB = B.Admin();
        await EventuallyAsync(async () => (await onB.GetAsync($"/api/v1/channels/{created.Id}", Ct)).StatusCode == HttpStatusCode.OK, "B reads the channel");
        await viewer.StartAsync(Ct);
        var joined = await viewer.InvokeAsync<JoinSnapshot>("Join", created.Id, new JoinOptions { DisplayName = "Viewer" }, Ct);
        Assert.Empty(joined.Lineup);

        using var put = await onA.PutAsync($"/api/v1/channels/{created.Id}/lineup", RelayServerTest.JsonBody(
            """[{"sku":"HAT-9","title":"Cluster hat","priceCents":1900,"currency":"USD","stock":7}]"""), Ct);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        // B's room observer replaced the line-up of the room B holds: its viewer hears the new product's stock...
        var heard = await stock.NextMatchingAsync(s => s.Sku == "HAT-9", seconds: 15);
        Assert.Equal(7, heard.Remaining);
        // ...and the room's snapshot is the new line-up.
        var again = await viewer.InvokeAsync<JoinSnapshot>("Join", created.Id, new JoinOptions { DisplayName = "Viewer" }, Ct);
        Assert.Equal("Cluster hat", Assert.Single(again.Lineup).Title);
        Assert.Equal(HttpStatusCode.NoContent, (await onA.DeleteAsync($"/api/v1/channels/{created.Id}", Ct)).StatusCode);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task A_guest_minted_on_a_chats_on_b_as_the_same_guest(string protocol)
    {
        using var http = new HttpClient { BaseAddress = A.BaseUrl };
        using var mint = await http.PostAsync("/api/v1/guests", null, Ct);
        Assert.Equal(HttpStatusCode.Created, mint.StatusCode);
        var guest = (await mint.Content.ReadFromJsonAsync<Guests.Minted>(Ct))!;

        await using var atA = Hub.Build(new Uri(A.BaseUrl, "/hubs/live?access_token=" + Uri.EscapeDataString(guest.GuestToken)), protocol);
        await atA.StartAsync(Ct);
        var shownOnA = (await atA.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Gina" }, Ct)).You;

        await using var atB = Hub.Build(new Uri(B.BaseUrl, "/hubs/live?access_token=" + Uri.EscapeDataString(guest.GuestToken)), protocol);
        var messages = new EventInbox<ChatMessageView>(atB, "message");
        await atB.StartAsync(Ct);
        var shownOnB = (await atB.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Gina" }, Ct)).You;
        // B unprotected A's token: the same guest, so the same display id (a token B could not read would be refused).
        Assert.Equal(("guest", shownOnA.UserId), (shownOnB.Role, shownOnB.UserId));

        var text = $"minted on a, said on b ({protocol})";
        await atB.InvokeAsync("SendMessage", text, Ct);
        var said = await messages.NextMatchingAsync(m => m.Text == text);
        Assert.Equal(shownOnA.UserId, said.UserId);
    }

    [Fact]
    public async Task Two_nodes_starting_at_once_on_an_empty_database_migrate_once_and_create_one_demo_channel()
    {
        await using var bed = await ClusterTestBed.StartAsync(nodes: 0);
        using var dirA = new TempDir("relay-race-a");
        using var dirB = new TempDir("relay-race-b");
        var ports = new[] { (Http: FreePort.Next(), Rtmp: FreePort.Next()), (Http: FreePort.Next(), Rtmp: FreePort.Next()) };
        var starting = new[]
        {
            ChildRelay.StartAsync(dirA.Path, ports[0].Http, ports[0].Rtmp, [.. bed.NodeArguments("race-a", ports[0].Http)]),
            ChildRelay.StartAsync(dirB.Path, ports[1].Http, ports[1].Rtmp, [.. bed.NodeArguments("race-b", ports[1].Http)]),
        };
        var relays = new List<ChildRelay>();
        try
        {
            foreach (var start in starting)
            {
                relays.Add(await start);
            }

            Assert.Equal(1, relays.Count(r => r.Logs.Any(l => l.Contains($"module channels migrated from version 0 to {Relay.Server.Store.Postgres.PostgresChannelsSchema.Definition.LatestVersion}", StringComparison.Ordinal))));
            Assert.Equal(1, relays.Count(r => r.Logs.Any(l => l.Contains("Created the demo channel demo", StringComparison.Ordinal))));
            await using (var connection = new NpgsqlConnection(bed.ConnectionString))
            {
                await connection.OpenAsync(Ct);
                await using var count = new NpgsqlCommand("SELECT (SELECT count(*) FROM channels), (SELECT string_agg(module || '=' || version, ',' ORDER BY module) FROM relay_schema)", connection);
                await using var reader = await count.ExecuteReaderAsync(Ct);
                Assert.True(await reader.ReadAsync(Ct));
                Assert.Equal(1L, reader.GetInt64(0));
                Assert.Contains($"channels={Relay.Server.Store.Postgres.PostgresChannelsSchema.Definition.LatestVersion}", reader.GetString(1));
            }

            // Both nodes serve the one demo channel, with the one stream key.
            using var onA = ChildRelay.Admin(ports[0].Http);
            using var onB = ChildRelay.Admin(ports[1].Http);
            Assert.Equal(await StreamKeyAsync(onA, "demo"), await StreamKeyAsync(onB, "demo"));
        }
        finally
        {
            foreach (var start in starting)
            {
                try
                {
                    var relay = await start;
                    if (!relays.Contains(relay))
                    {
                        relays.Add(relay);
                    }
                }
                catch (Exception)
                {
                    // A start that failed abandoned its process already; the failure is the test's.
                }
            }
            await TestHost.DisposeAllAsync([.. relays]);
        }
    }

    private static async Task<Created> CreateChannelAsync(HttpClient admin, string title)
    {
        using var response = await admin.PostAsync("/api/v1/channels", RelayServerTest.JsonBody(JsonSerializer.Serialize(new { title })), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return new Created(body.GetProperty("id").GetString()!, body.GetProperty("streamKey").GetString()!);
    }

    private static async Task<string> StreamKeyAsync(HttpClient admin, string channelId) =>
        (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/channels/{channelId}/stream-key", Ct)).GetProperty("streamKey").GetString()!;

    private static async Task<bool> LiveAsync(HttpClient admin, string channelId) =>
        (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/channels/{channelId}", Ct)).GetProperty("live").GetBoolean();

    private async Task EventuallyAsync(Func<Task<bool>> condition, string what, double seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                var logs = nodes.Bed?.Nodes.SelectMany(n => n.Relay.Logs.Lines.TakeLast(25).Select(l => $"{n.Id}: {l}")) ?? [];
                Assert.Fail($"not within {seconds} s: {what}\n{string.Join('\n', logs)}");
            }
            await Task.Delay(100, Ct);
        }
    }

    private sealed record Created(string Id, string StreamKey);

    /// <summary>Two nodes on one PostgreSQL and one Redis, shared by the tests of the class (each uses its own channels).</summary>
    public sealed class TwoNodes : IAsyncLifetime
    {
        internal ClusterTestBed Bed { get; private set; } = null!;

        public async ValueTask InitializeAsync() => Bed = await ClusterTestBed.StartAsync(nodes: 2);

        public async ValueTask DisposeAsync()
        {
            if (Bed is not null)
            {
                await Bed.DisposeAsync();
            }
        }
    }
}
