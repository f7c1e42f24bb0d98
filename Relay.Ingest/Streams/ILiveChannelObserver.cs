namespace Relay.Ingest.Streams;

/// <summary>Told when a channel gets or loses its publisher. Register implementations in DI or via <see cref="LiveChannelRegistry.AddObserver"/>.</summary>
public interface ILiveChannelObserver
{
    /// <summary>The channel's publish was authorized; its <see cref="StreamHub"/> is available.</summary>
    void ChannelLive(string channelId);

    /// <summary>The publisher went away (disconnect, ffmpeg exit, kicked); the hub is completed.</summary>
    void ChannelOffline(string channelId);
}
