using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;
using Hub = Relay.Tests.Common.Hosts.Hub;

namespace Relay.Tests.Faults.Cluster;

/// <summary>A node killed with its viewers: they leave the room's count on the other nodes (their entries expire after two
/// leases) and the room goes on there.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterRoomKillTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_viewers_of_a_killed_node_drop_out_of_the_count_and_the_room_goes_on()
    {
        await using var bed = await ClusterTestBed.StartAsync(nodes: 2);
        await using var watcher = Hub.Build(new Uri(bed.Nodes[0].BaseUrl, "/hubs/live"), "messagepack");
        var viewers = new EventInbox<ViewersEvent>(watcher, "viewers");
        var messages = new EventInbox<ChatMessageView>(watcher, "message");
        await watcher.StartAsync(Ct);
        await watcher.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Watcher" }, Ct);

        List<HubConnection> onB = [];
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var viewer = Hub.Build(new Uri(bed.Nodes[1].BaseUrl, "/hubs/live"), "json");
                onB.Add(viewer);
                await viewer.StartAsync(Ct);
                await viewer.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = $"B{i}" }, Ct);
            }
            await viewers.NextMatchingAsync(v => v.Count == 4, 15);

            await bed.Nodes[1].KillAsync();
            var killedAt = DateTime.UtcNow;
            var after = await viewers.NextMatchingAsync(v => v.Count == 1, 4 * ClusterTestBed.LeaseSeconds + 10);
            Assert.True(DateTime.UtcNow - killedAt < TimeSpan.FromSeconds(3 * ClusterTestBed.LeaseSeconds + 5),
                $"dropped after {(DateTime.UtcNow - killedAt).TotalSeconds:F1} s");
            Assert.True(after.Seq > 0);

            await watcher.InvokeAsync("SendMessage", "still here", Ct);
            Assert.True((await messages.NextMatchingAsync(m => m.Text == "still here")).Seq > after.Seq);
        }
        finally
        {
            foreach (var viewer in onB) await viewer.DisposeAsync();
        }
    }
}
