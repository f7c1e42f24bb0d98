using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Relay.Chat.Contracts;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Server;

/// <summary>
/// Review M3, contract v2: <c>POST /api/v1/channels/{id}/host-key/rotate</c> ends the old host key at once, for REST
/// and for hub connections already joined with it; deleting a channel (and creating it again) does the same.
/// Real SignalR clients over WebSockets, both protocols.
/// </summary>
public sealed class HostKeyRotationTests : RelayServerTest
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly FlashSaleRequest Sale = new() { Sku = "TEE-001", PriceCents = 0, Quantity = 1000, DurationSeconds = 3600 };

    [Theory]
    [InlineData("json", false)]
    [InlineData("messagepack", false)]
    [InlineData("json", true)]
    [InlineData("messagepack", true)]
    public async Task After_a_rotation_the_old_key_loses_host_rights_at_once_and_the_new_one_has_them(string protocol, bool selfRotate)
    {
        var oldKey = Server.Channels.Find("demo")!.HostKey;
        await using var oldHost = await JoinedAsync(protocol, oldKey);
        await oldHost.InvokeAsync("Pin", "TEE-001", Ct); // host rights before

        using var rotator = selfRotate ? Server.Client(oldKey) : Server.AdminClient();
        using var rotated = await rotator.PostAsync("/api/v1/channels/demo/host-key/rotate", null, Ct);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.Equal("no-store", rotated.Headers.CacheControl?.ToString());
        var newKey = JsonDocument.Parse(await rotated.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("hostKey").GetString()!;
        Assert.StartsWith("hk_", newKey);
        Assert.NotEqual(oldKey, newKey);

        // The open connection made with the old key: refused on the next privileged call, whatever it is.
        await RefusedAsync(() => oldHost.InvokeAsync("StartFlashSale", Sale, Ct));
        await RefusedAsync(() => oldHost.InvokeAsync("Pin", "TEE-001", Ct));
        await RefusedAsync(() => oldHost.InvokeAsync("SetSlowMode", 30, Ct));
        await Assert.ThrowsAsync<HubException>(() => oldHost.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), Ct));

        // REST with the old key: no longer a credential at all.
        using (var old = Server.Client(oldKey))
        {
            using var response = await old.GetAsync("/api/v1/channels/demo", Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        // The new key works for both.
        using (var fresh = Server.Client(newKey))
        {
            Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/api/v1/channels/demo", Ct)).StatusCode);
        }
        await using var newHost = await JoinedAsync(protocol, newKey);
        await newHost.InvokeAsync("StartFlashSale", Sale, Ct);
        await newHost.InvokeAsync("Pin", "TEE-001", Ct);

        // Survives a restart: the stored key is the new one.
        await Server.RestartAsync();
        Assert.Equal(newKey, Server.Channels.Find("demo")!.HostKey);
    }

    /// <summary>The review's repro: the channel is deleted and created again under the same id, a viewer opens the room.</summary>
    [Theory]
    [InlineData("json")]
    [InlineData("messagepack")]
    public async Task A_host_connection_of_a_deleted_channel_has_no_rights_in_the_channel_created_again(string protocol)
    {
        await using var attacker = await JoinedAsync(protocol, Server.Channels.Find("demo")!.HostKey);
        using var admin = Server.AdminClient();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/channels/demo", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/api/v1/channels", Json("""{"id":"demo","title":"new"}"""), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("/api/v1/channels/demo/lineup",
            Json("""[{"sku":"TEE-001","title":"Tee","priceCents":1000,"currency":"USD","stock":5}]"""), Ct)).StatusCode);
        await using var viewer = await JoinedAsync(protocol, null);
        var messages = new List<string>();
        viewer.On<ChatMessageView>("message", m => { lock (messages) messages.Add(m.Text); });
        await viewer.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), Ct);

        await RefusedAsync(() => attacker.InvokeAsync("StartFlashSale", Sale, Ct));
        await RefusedAsync(() => attacker.InvokeAsync("Pin", "TEE-001", Ct));
        await RefusedAsync(() => attacker.InvokeAsync("SendMessage", "still here", Ct));
        var snapshot = await viewer.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), Ct);
        Assert.Null(snapshot.FlashSale);
        Assert.Null(snapshot.Pinned);
        lock (messages) Assert.Empty(messages);
    }

    [Fact]
    public async Task Another_channels_host_key_cannot_rotate_this_one()
    {
        using var admin = Server.AdminClient();
        var other = await ReadAsync(await admin.PostAsync("/api/v1/channels", Json("""{"id":"other","title":"Other"}"""), Ct));
        using var stranger = Server.Client(other.GetProperty("hostKey").GetString()!);
        var before = Server.Channels.Find("demo")!.HostKey;
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PostAsync("/api/v1/channels/demo/host-key/rotate", null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/v1/channels/nochannel/host-key/rotate", null, Ct)).StatusCode);
        Assert.Equal(before, Server.Channels.Find("demo")!.HostKey);
    }

    private async Task<HubConnection> JoinedAsync(string protocol, string? token)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(Server.BaseAddress, "/hubs/live"), o =>
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
        var connection = builder.Build();
        await connection.StartAsync(Ct);
        if (token is not null)
        {
            var snapshot = await connection.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Host" }, Ct);
            Assert.Equal("host", snapshot.You.Role);
        }
        return connection;
    }

    private static async Task RefusedAsync(Func<Task> call)
    {
        var refused = await Assert.ThrowsAsync<HubException>(call);
        Assert.Contains("forbidden", refused.Message, StringComparison.OrdinalIgnoreCase);
    }
}
