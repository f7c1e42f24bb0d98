using Relay.Chat.Channels;
using Relay.Server.Channels;

namespace Relay.Server.Adapters;

/// <summary>Carries line-up edits, the next show's time and deletions from the REST API into the live room.</summary>
/// <remarks>
/// The room is resolved on first use: the room depends on the channel directory, which depends
/// on the channel service, which holds this observer; taking the room in the constructor would
/// close that loop inside the container.
/// </remarks>
public sealed class RoomChannelObserver(IServiceProvider services) : IChannelObserver
{
    private ILiveRoomControl Rooms => services.GetRequiredService<ILiveRoomControl>();

    public Task ChannelChangedAsync(string channelId, ChannelChange change, ChannelDefinition? channel, CancellationToken ct) => change switch
    {
        ChannelChange.LineupChanged or ChannelChange.LineupChangedStockReset when channel is not null =>
            Rooms.LineupChangedAsync(channelId, channel.Lineup,
                resetStock: change == ChannelChange.LineupChangedStockReset, ct),
        ChannelChange.NextShowChanged when channel is not null => Rooms.NextShowChangedAsync(channelId, channel.NextShowAt, ct),
        ChannelChange.Deleted => Rooms.ChannelDeletedAsync(channelId, ct),
        _ => Task.CompletedTask,
    };
}
