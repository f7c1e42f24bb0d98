namespace Relay.Chat.Channels;

/// <summary>
/// Implemented by the server over its channel store. The live room never sees stored secrets:
/// it hands the presented credential over and the server compares it in constant time.
/// </summary>
public interface IChannelDirectory
{
    /// <summary>null when no such channel exists.</summary>
    ValueTask<ChannelInfo?> FindChannelAsync(string channelId, CancellationToken cancellationToken);

    ValueTask<bool> IsHostKeyAsync(string channelId, string presentedKey, CancellationToken cancellationToken);

    ValueTask<bool> IsAdminTokenAsync(string presentedToken, CancellationToken cancellationToken);
}
