namespace Relay.Server.Shows;

/// <summary>A show this node is recording now: its id, its clock and each destination's totals so far.</summary>
internal sealed class LiveShow(string showId, string channelId, DateTimeOffset since)
{
    public string ShowId { get; } = showId;

    public string ChannelId { get; } = channelId;

    /// <summary>The last time-line point (or the publish).</summary>
    public DateTimeOffset LastPointAt { get; set; } = since;

    public ITimer? Timer { get; set; }

    public Dictionary<string, DestinationTotals> Destinations { get; } = new(StringComparer.Ordinal);

    internal sealed class DestinationTotals
    {
        public long LiveMilliseconds { get; set; }

        public int Reconnects { get; set; }

        /// <summary>The egress's count at the last point (it starts again at 0 with every publish).</summary>
        public int ReconnectsSeen { get; set; }
    }
}
