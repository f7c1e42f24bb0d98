using Relay.Chat.Channels;
using Relay.Ingest.Channels;
using Relay.Ingest.Gateway;
using Relay.Server.Channels;

namespace Relay.Server.Media;

/// <summary>The gateway asks the channel store whose stream key a publish carries.</summary>
public sealed class ChannelPublishAuthorizer(ChannelService channels) : IPublishAuthorizer
{
    public ValueTask<PublishDecision> AuthorizeAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.StreamKey))
        {
            return ValueTask.FromResult(PublishDecision.Reject(PublishRejectReason.MissingKey));
        }
        return ValueTask.FromResult(channels.FindByStreamKey(request.StreamKey) is { } channel
            ? PublishDecision.Accept(channel.Id)
            : PublishDecision.Reject(PublishRejectReason.BadKey));
    }
}

/// <summary>The API's view of live channels, read from the ingest registry.</summary>
public sealed class MediaChannelRuntime(LiveChannelRegistry registry) : IChannelRuntime
{
    public IngestView? GetIngest(string channelId) =>
        registry.GetStatus(channelId) is { Live: true } s
            ? new IngestView(s.Since, s.VideoCodec, s.AudioCodec, s.Width, s.Height, s.Fps, s.BitrateKbps, s.KeyframeIntervalSeconds)
            : null;

    public DestinationRuntime GetDestination(string channelId, Destination destination) =>
        new(destination.Enabled ? (registry.IsLive(channelId) ? "connecting" : "idle") : "disabled");
}

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
        catch (Exception e)
        {
            logger.LogError(e, "Telling the live room of channel {ChannelId} that it is {State} failed", channelId, live ? "live" : "offline");
        }
    });
}

/// <summary>A rotated key or a deleted channel cuts the current publisher at once.</summary>
public sealed class IngestChannelObserver(LiveChannelRegistry registry) : IChannelObserver
{
    public Task ChannelChangedAsync(string channelId, ChannelChange change, Channel? channel, CancellationToken ct) => change switch
    {
        ChannelChange.StreamKeyRotated or ChannelChange.Deleted => registry.StopAsync(channelId, ct),
        _ => Task.CompletedTask,
    };
}
