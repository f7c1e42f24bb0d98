using Relay.Chat.Channels;
using Relay.Ingest.Streams;
using Relay.Server.Diagnostics;

namespace Relay.Server.Adapters;

/// <summary>Channel going live or offline reaches the live room (status event).</summary>
public sealed class LiveStateBridge(IServiceProvider services, ILogger<LiveStateBridge> logger) : ILiveChannelObserver
{
    public void ChannelLive(string channelId) => Dispatch(channelId, live: true);

    public void ChannelOffline(string channelId) => Dispatch(channelId, live: false);

    // The registry calls observers synchronously on the ingest path; the room update must not hold it up.
    private void Dispatch(string channelId, bool live) => _ = Task.Run(async () =>
    {
        try
        {
            await services.GetRequiredService<ILiveRoomControl>().SetLiveAsync(channelId, live, CancellationToken.None);
        }
        catch (ObjectDisposedException)
        {
            // The host is shutting down (a session ended by the shutdown itself): there is no room left to tell.
        }
        catch (Exception e)
        {
            ServerLog.LiveRoomStateFailed(logger, channelId, live ? "live" : "offline", e);
        }
    });
}
