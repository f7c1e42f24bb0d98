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
    /// <summary>The rehearsal switch flipped (<see cref="ChannelDefinition.Rehearsal"/>).</summary>
    RehearsalChanged,
    /// <summary>The next show's time was set, moved or cleared (<see cref="ChannelDefinition.NextShowAt"/>).</summary>
    NextShowChanged,
    /// <summary>The backup stream key was rotated: a backup publisher connected with the old one is cut (the primary stays).</summary>
    BackupStreamKeyRotated,
}
