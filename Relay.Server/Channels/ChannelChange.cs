namespace Relay.Server.Channels;

public enum ChannelChange
{
    Created,
    Deleted,
    StreamKeyRotated,
    HostKeyRotated,
    DestinationsChanged,
    LineupChanged,
    /// <summary>A new line-up whose listed products start a new sold count (<c>PUT .../lineup?resetStock=true</c>).</summary>
    LineupChangedStockReset,
}
