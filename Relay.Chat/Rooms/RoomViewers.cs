namespace Relay.Chat.Rooms;

/// <summary>Merging the viewer counts of the nodes (pure): what a node's room adds to its own connections.</summary>
internal static class RoomViewers
{
    /// <summary>The viewers of every node but <paramref name="nodeId"/>; 0 when the bus counts per node nothing
    /// (the embedded default).</summary>
    public static int OthersThan(string nodeId, IReadOnlyDictionary<string, int>? byNode)
    {
        if (byNode is null) return 0;
        var sum = 0;
        foreach (var (node, count) in byNode)
            if (node != nodeId && count > 0) sum += count;
        return sum;
    }
}
