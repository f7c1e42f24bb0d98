namespace Relay.Chat.Channels;

/// <summary>What the live room needs to know about a channel when it opens the room.</summary>
public sealed record ChannelInfo(string Id, string Title, bool Live, IReadOnlyList<LineupItem> Lineup)
{
    /// <summary>When the next show starts, if the host said.</summary>
    public DateTimeOffset? NextShowAt { get; init; }
}
