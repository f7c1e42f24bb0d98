using Relay.Chat.Channels;
using Relay.Ingest.Streams;

namespace Relay.Server.Adapters;

/// <summary>
/// The live room's stream clock and cue output (contract v2, "Media-time events"), read from and written into the
/// channel's <see cref="StreamHub"/>: the time is the last frame's timestamp of the hub live here (a cluster's non-owner
/// reads its mirror, which carries the owner's timestamps); the cue is written only where the channel is published, and
/// reaches the other nodes' viewers through their mirrors.
/// </summary>
public sealed class HubStreamClock(LiveChannelRegistry channels) : IChannelMediaTime
{
    public long? StreamTimeMs(string channelId) => channels.TryGetHub(channelId, out var hub) ? hub.StreamTimeMs : null;

    public void WriteCue(string channelId, long seq, string kind, string id, long streamTimeMs)
    {
        if (channels.TryGetPublishedHub(channelId, out var hub)) hub.PublishCue(seq, kind, id, streamTimeMs);
    }
}
