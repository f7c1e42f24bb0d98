using Relay.Chat.Channels;
using Relay.Server.Access;
using Relay.Server.Channels;
using RoomLineupItem = Relay.Chat.Channels.LineupItem;

namespace Relay.Server.Rooms;

/// <summary>The live room's view of the channel store: channel, line-up, live state, and credential checks.</summary>
public sealed class ChannelDirectoryForRooms(ChannelService channels, AdminToken admin, IChannelRuntime runtime) : IChannelDirectory, IHostCredentials
{
    public long? HostKeyGeneration(string channelId) => channels.HostKeyGeneration(channelId);

    public bool IsKnownCredential(string token) => admin.Matches(token) | channels.IsAnyHostKey(token);

    public ValueTask<ChannelInfo?> FindChannelAsync(string channelId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(channels.Find(channelId) is { } c
            ? new ChannelInfo(c.Id, c.Title, runtime.GetIngest(c.Id) is not null, ToRoomLineup(c.Lineup))
            : null);

    public ValueTask<bool> IsHostKeyAsync(string channelId, string presentedKey, CancellationToken cancellationToken) =>
        ValueTask.FromResult(channels.IsHostKey(channelId, presentedKey));

    public ValueTask<bool> IsAdminTokenAsync(string presentedToken, CancellationToken cancellationToken) =>
        ValueTask.FromResult(admin.Matches(presentedToken));

    public static IReadOnlyList<RoomLineupItem> ToRoomLineup(IReadOnlyList<Channels.LineupItem> lineup) =>
        lineup.Select(i => new RoomLineupItem(i.Sku, i.Title, i.PriceCents, i.Currency, i.ImageUrl, i.Stock)).ToList();
}

/// <summary>Carries line-up edits and deletions from the REST API into the live room.</summary>
/// <remarks>
/// The room is resolved on first use: the room depends on the channel directory, which depends
/// on the channel service, which holds this observer; taking the room in the constructor would
/// close that loop inside the container.
/// </remarks>
public sealed class RoomChannelObserver(IServiceProvider services) : IChannelObserver
{
    private ILiveRoomControl Rooms => services.GetRequiredService<ILiveRoomControl>();

    public Task ChannelChangedAsync(string channelId, ChannelChange change, Channel? channel, CancellationToken ct) => change switch
    {
        ChannelChange.LineupChanged or ChannelChange.LineupChangedStockReset when channel is not null =>
            Rooms.LineupChangedAsync(channelId, ChannelDirectoryForRooms.ToRoomLineup(channel.Lineup),
                resetStock: change == ChannelChange.LineupChangedStockReset, ct),
        ChannelChange.Deleted => Rooms.ChannelDeletedAsync(channelId, ct),
        _ => Task.CompletedTask,
    };
}
