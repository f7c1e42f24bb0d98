using Relay.Ingest.Streams;
using Relay.Server.Shows;

namespace Relay.Server.Adapters;

/// <summary>A publish on this node starts or continues its channel's show; its end ends it (mirrors are never told).</summary>
public sealed class ShowLiveObserver(ShowRecorder recorder) : ILiveChannelObserver
{
    public void ChannelLive(string channelId) => recorder.ChannelLive(channelId);

    public void ChannelOffline(string channelId) => recorder.ChannelOffline(channelId);
}
