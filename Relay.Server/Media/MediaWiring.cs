using Relay.Chat.Channels;
using Relay.Ingest.Consumers.Recording;
using Relay.Ingest.Egress;
using Relay.Ingest.Publishing;
using Relay.Ingest.Streams;
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

/// <summary>The API's view of live channels and their destinations, read from the ingest registry and the egress.</summary>
public sealed class MediaChannelRuntime(LiveChannelRegistry registry, EgressManager egress) : IChannelRuntime
{
    public IngestView? GetIngest(string channelId) =>
        registry.GetStatus(channelId) is { Live: true } s
            ? new IngestView(s.Since, s.VideoCodec, s.AudioCodec, s.Width, s.Height, s.Fps, s.BitrateKbps, s.KeyframeIntervalSeconds)
            : null;

    public DestinationRuntime GetDestination(string channelId, Destination destination)
    {
        if (!destination.Enabled)
        {
            return new DestinationRuntime("disabled");
        }
        var s = egress.GetStatus(channelId, destination.Id);
        return new DestinationRuntime(s.StateName, s.Reconnects, s.LastError, s.BitrateKbps, s.DroppedFrames, s.Warnings);
    }
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

/// <summary>
/// A rotated key or a deleted channel cuts the current publisher at once; a deleted channel's recordings move to the
/// archive folder, so a channel created again under the same id does not list them.
/// </summary>
public sealed class IngestChannelObserver(LiveChannelRegistry registry, Relay.Ingest.Consumers.Recording.RecordingService recordings) : IChannelObserver
{
    public async Task ChannelChangedAsync(string channelId, ChannelChange change, Channel? channel, CancellationToken ct)
    {
        if (change is ChannelChange.StreamKeyRotated or ChannelChange.Deleted)
        {
            await registry.StopAsync(channelId, ct);
        }
        if (change == ChannelChange.Deleted)
        {
            await recordings.ArchiveChannelAsync(channelId, ct);
        }
    }
}

/// <summary>
/// Keeps the egress's desired destinations equal to the store's: every change is applied at once
/// (live channels start, stop or restart only what changed), a deleted channel's pushes end.
/// </summary>
public sealed class EgressChannelObserver(EgressManager egress) : IChannelObserver
{
    public Task ChannelChangedAsync(string channelId, ChannelChange change, Channel? channel, CancellationToken ct) => change switch
    {
        ChannelChange.Deleted => egress.RemoveChannelAsync(channelId),
        ChannelChange.Created or ChannelChange.DestinationsChanged when channel is not null =>
            egress.ApplyAsync(channelId, ToEgress(channel.Destinations), ct),
        _ => Task.CompletedTask,
    };

    public static IReadOnlyList<EgressDestination> ToEgress(IReadOnlyList<Destination> destinations) =>
        destinations.Select(d => new EgressDestination(d.Id, d.Name, d.Platform, d.Url, d.StreamKey, d.Enabled,
            InputRules.ToEgressProfile(d.Profile), d.Engine, RequirePublicAddress: !d.AddressSetByAdmin)).ToList();
}

/// <summary>At start, hands the egress every channel's destinations so a channel that goes live pushes at once.</summary>
public sealed class EgressDesiredStateLoader(ChannelService channels, EgressManager egress, ILogger<EgressDesiredStateLoader> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var channel in channels.All)
        {
            try
            {
                await egress.ApplyAsync(channel.Id, EgressChannelObserver.ToEgress(channel.Destinations), cancellationToken);
            }
            catch (ArgumentException e)
            {
                logger.LogError("Destinations of channel {ChannelId} were not applied: {Problem}", channel.Id, e.Message);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>What the host does on air lands in the recording's timeline, at the recording's clock.</summary>
public sealed class RecordingShowTimeline(Relay.Ingest.Consumers.Recording.RecordingService recordings) : IShowTimeline
{
    public void Mark(string channelId, string kind, object payload) => recordings.AddMarker(channelId, kind, payload);
}
