namespace Relay.Server.Channels;

/// <summary>
/// Told after a channel change is durable, so the media and interaction planes can act on it
/// (kick a publisher whose key was rotated, restart a destination, refresh a room's line-up).
/// An observer that throws is logged; the change itself stands.
/// </summary>
public interface IChannelObserver
{
    Task ChannelChangedAsync(string channelId, ChannelChange change, ChannelDefinition? channel, CancellationToken ct);
}
