using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;
using Hub = Relay.Tests.Common.Hosts.Hub;

namespace Relay.Tests.Integration.Server;

/// <summary>
/// <c>PATCH /api/v1/channels/{id} {title?, rehearsal?, nextShowAt?}</c> (contract v2): the host key or the admin token
/// changes what it names and nothing else, it is stored (a restart keeps it) and returned by GET; bad input is a 400
/// naming the field and changes nothing. The next show reaches the live room: Join snapshots carry it and joined
/// viewers hear `nextShow`, over both hub protocols.
/// </summary>
public sealed class ChannelSettingsApiTests : RelayServerTest
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string InTwoDays => DateTimeOffset.UtcNow.AddDays(2).ToOffset(TimeSpan.FromHours(8))
        .ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_host_sets_title_rehearsal_and_next_show_which_are_stored_and_read_back()
    {
        var hostKey = Server.Channels.Find("demo")!.HostKey;
        using var host = Server.Client(hostKey);
        var next = DateTimeOffset.Parse(InTwoDays, CultureInfo.InvariantCulture);

        using var patched = await host.PatchAsync("/api/v1/channels/demo", Json($$"""{"title":" Friday show ","rehearsal":true,"nextShowAt":"{{InTwoDays}}"}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var body = await ReadAsync(patched);
        Assert.Equal("Friday show", body.GetProperty("title").GetString());
        Assert.True(body.GetProperty("rehearsal").GetBoolean());
        // Kept to the second, in UTC.
        var stored = body.GetProperty("nextShowAt").GetDateTimeOffset();
        Assert.Equal(TimeSpan.Zero, stored.Offset);
        Assert.Equal(next.ToUnixTimeSeconds(), stored.ToUnixTimeSeconds());
        Assert.Equal(0, stored.Millisecond);
        Assert.False(body.GetProperty("live").GetBoolean());

        // A field left out stays; null clears the next show.
        using var partly = await host.PatchAsync("/api/v1/channels/demo", Json("""{"rehearsal":false}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, partly.StatusCode);
        var after = await ReadAsync(partly);
        Assert.False(after.GetProperty("rehearsal").GetBoolean());
        Assert.Equal("Friday show", after.GetProperty("title").GetString());
        Assert.Equal(stored, after.GetProperty("nextShowAt").GetDateTimeOffset());

        await Server.RestartAsync();
        using var admin = Server.AdminClient();
        var read = await ReadAsync(await admin.GetAsync("/api/v1/channels/demo", Ct));
        Assert.Equal("Friday show", read.GetProperty("title").GetString());
        Assert.False(read.GetProperty("rehearsal").GetBoolean());
        Assert.Equal(stored, read.GetProperty("nextShowAt").GetDateTimeOffset());
        var listed = (await ReadAsync(await admin.GetAsync("/api/v1/channels", Ct))).EnumerateArray().Single(c => c.GetProperty("id").GetString() == "demo");
        Assert.Equal(stored, listed.GetProperty("nextShowAt").GetDateTimeOffset());

        using var cleared = await admin.PatchAsync("/api/v1/channels/demo", Json("""{"nextShowAt":null,"rehearsal":true}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        var clearedBody = await ReadAsync(cleared);
        Assert.True(!clearedBody.TryGetProperty("nextShowAt", out var none) || none.ValueKind == JsonValueKind.Null);
        Assert.True(Server.Channels.Find("demo")!.Rehearsal);
    }

    [Theory]
    [InlineData("""{"nextShowAt":"2020-01-01T00:00:00Z"}""", "nextShowAt", "in the future")]
    [InlineData("""{"nextShowAt":"2099-01-01T00:00:00Z"}""", "nextShowAt", "within a year")]
    [InlineData("""{"nextShowAt":"2027-01-01T20:00:00"}""", "nextShowAt", "time zone")]
    [InlineData("""{"nextShowAt":"tomorrow at eight"}""", "nextShowAt", "ISO 8601")]
    [InlineData("""{"nextShowAt":1767297600}""", "nextShowAt", "wrong type")]
    [InlineData("""{"rehearsal":"yes"}""", "rehearsal", "wrong type")]
    [InlineData("""{"rehearsal":null}""", "rehearsal", "true or false")]
    [InlineData("""{"title":""}""", "title", "required")]
    [InlineData("""{"title":null}""", "title", "required")]
    [InlineData("""{"live":true}""", "live", "")]
    [InlineData("""[true]""", "body", "object")]
    public async Task Bad_settings_are_400_naming_the_field_and_change_nothing(string json, string field, string says)
    {
        using var admin = Server.AdminClient();
        var before = await admin.GetStringAsync("/api/v1/channels/demo", Ct);
        using var response = await admin.PatchAsync("/api/v1/channels/demo", Json(json), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await ReadAsync(response);
        Assert.StartsWith(field + ":", problem.GetProperty("detail").GetString());
        Assert.Contains(says, problem.GetProperty("detail").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(before, await admin.GetStringAsync("/api/v1/channels/demo", Ct));
    }

    [Fact]
    public async Task Only_the_channels_own_host_key_or_the_admin_token_may_change_it()
    {
        using var admin = Server.AdminClient();
        var other = await ReadAsync(await admin.PostAsync("/api/v1/channels", Json("""{"title":"Other","id":"other"}"""), Ct));
        using var otherHost = Server.Client(other.GetProperty("hostKey").GetString()!);
        using var anonymous = Server.Client();

        Assert.Equal(HttpStatusCode.Forbidden, (await otherHost.PatchAsync("/api/v1/channels/demo", Json("""{"rehearsal":true}"""), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PatchAsync("/api/v1/channels/demo", Json("""{"rehearsal":true}"""), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PatchAsync("/api/v1/channels/nope", Json("""{"rehearsal":true}"""), Ct)).StatusCode);
        Assert.False(Server.Channels.Find("demo")!.Rehearsal);
        Assert.Equal(HttpStatusCode.OK, (await otherHost.PatchAsync("/api/v1/channels/other", Json("""{"rehearsal":true}"""), Ct)).StatusCode);
        Assert.True(Server.Channels.Find("other")!.Rehearsal);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task The_next_show_is_in_the_join_snapshot_and_joined_viewers_hear_it_change(string protocol)
    {
        using var admin = Server.AdminClient();
        await using var viewer = Hub.Build(new Uri(Server.BaseAddress, "/hubs/live"), protocol);
        var heard = new EventInbox<NextShowEvent>(viewer, "nextShow");
        await viewer.StartAsync(Ct);
        var first = await viewer.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Viewer" }, Ct);
        Assert.Null(first.NextShowAt);

        var at = DateTimeOffset.Parse(InTwoDays, CultureInfo.InvariantCulture);
        using (var set = await admin.PatchAsync("/api/v1/channels/demo", Json($$"""{"nextShowAt":"{{InTwoDays}}"}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }
        var announced = await heard.NextAsync(seconds: 15);
        Assert.Equal(at.ToUnixTimeSeconds(), new DateTimeOffset(DateTime.SpecifyKind(announced.NextShowAt!.Value, DateTimeKind.Utc)).ToUnixTimeSeconds());
        Assert.True(announced.Seq > first.Seq);

        // A viewer joining later reads it in the snapshot.
        await using var late = Hub.Build(new Uri(Server.BaseAddress, "/hubs/live"), protocol);
        await late.StartAsync(Ct);
        var snapshot = await late.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Late" }, Ct);
        Assert.Equal(at.ToUnixTimeSeconds(), new DateTimeOffset(DateTime.SpecifyKind(snapshot.NextShowAt!.Value, DateTimeKind.Utc)).ToUnixTimeSeconds());

        // A title or rehearsal change alone is not a next-show event; clearing it is.
        using (var title = await admin.PatchAsync("/api/v1/channels/demo", Json("""{"title":"Renamed"}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, title.StatusCode);
        }
        using (var clear = await admin.PatchAsync("/api/v1/channels/demo", Json("""{"nextShowAt":null}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, clear.StatusCode);
        }
        var cleared = await heard.NextAsync(seconds: 15);
        Assert.Null(cleared.NextShowAt);
        Assert.Equal(2, heard.All.Count);
    }
}
