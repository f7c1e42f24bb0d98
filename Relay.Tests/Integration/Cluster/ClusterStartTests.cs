using System.Net;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;
using Hub = Relay.Tests.Common.Hosts.Hub;

namespace Relay.Tests.Integration.Cluster;

/// <summary>Configuration alone makes two processes one service: both start on the shared engines and their hubs meet.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterStartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Two_nodes_start_on_postgres_and_redis_and_chat_reaches_the_other_node(string protocol)
    {
        await using var bed = await ClusterTestBed.StartAsync(nodes: 2);
        foreach (var node in bed.Nodes)
        {
            using var http = new HttpClient { BaseAddress = node.BaseUrl };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz", Ct)).StatusCode);
        }

        await using var onA = Hub.Build(new Uri(bed.Nodes[0].BaseUrl, "/hubs/live"), protocol);
        await using var onB = Hub.Build(new Uri(bed.Nodes[1].BaseUrl, "/hubs/live"), protocol);
        var atB = new EventInbox<ChatMessageView>(onB, "message");
        await onA.StartAsync(Ct);
        await onB.StartAsync(Ct);
        await onA.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Alice" }, Ct);
        await onB.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Bob" }, Ct);

        await onA.InvokeAsync("SendMessage", "hello from node a", Ct);
        var received = await atB.NextMatchingAsync(m => m.Text == "hello from node a");
        Assert.Equal("Alice", received.DisplayName);
    }
}
