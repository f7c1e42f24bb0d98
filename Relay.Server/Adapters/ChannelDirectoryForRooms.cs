using Relay.Chat.Channels;
using Relay.Server.Access;
using Relay.Server.Channels;

namespace Relay.Server.Adapters;

/// <summary>The live room's view of the channel store: channel, line-up, live state, and credential checks.</summary>
public sealed class ChannelDirectoryForRooms(ChannelService channels, AdminToken admin, IChannelRuntime runtime) : IChannelDirectory, IHostCredentials
{
    public long? HostKeyGeneration(string channelId) => channels.HostKeyGeneration(channelId);

    public bool IsKnownCredential(string token) => admin.Matches(token) | channels.IsAnyHostKey(token);

    public ValueTask<ChannelInfo?> FindChannelAsync(string channelId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(channels.Find(channelId) is { } c
            ? new ChannelInfo(c.Id, c.Title, runtime.GetIngest(c.Id) is { Rehearsal: false }, c.Lineup) { NextShowAt = c.NextShowAt }
            : null);

    public ValueTask<bool> IsHostKeyAsync(string channelId, string presentedKey, CancellationToken cancellationToken) =>
        ValueTask.FromResult(channels.IsHostKey(channelId, presentedKey));

    public ValueTask<bool> IsAdminTokenAsync(string presentedToken, CancellationToken cancellationToken) =>
        ValueTask.FromResult(admin.Matches(presentedToken));
}
