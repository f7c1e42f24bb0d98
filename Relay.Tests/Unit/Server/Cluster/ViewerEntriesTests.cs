using Relay.Server.Cluster.Rooms;

namespace Relay.Tests.Unit.Server.Cluster;

/// <summary>The per-node viewer counts Redis keeps for a room: what is live, what a dead node left behind.</summary>
public sealed class ViewerEntriesTests
{
    [Fact]
    public void Expired_entries_and_bookkeeping_are_left_out_of_the_live_counts()
    {
        var entries = new Dictionary<string, string>
        {
            ["node-a"] = ViewerEntries.Entry(3, expiresAtMs: 2_000),
            ["node-b"] = ViewerEntries.Entry(5, expiresAtMs: 999),
            ["node-c"] = ViewerEntries.Entry(0, expiresAtMs: 5_000),
            ["_last"] = "{\"node-a\":3}",
            ["node-d"] = "garbage",
        };

        var live = ViewerEntries.Live(entries, nowMs: 1_000);

        Assert.Equal(new Dictionary<string, int> { ["node-a"] = 3, ["node-c"] = 0 }, live);
        Assert.Empty(ViewerEntries.Live(entries, nowMs: 5_000));
    }

    [Fact]
    public void An_entry_is_the_count_and_its_expiry()
    {
        Assert.Equal("12|1765000000000", ViewerEntries.Entry(12, 1_765_000_000_000));
    }
}
