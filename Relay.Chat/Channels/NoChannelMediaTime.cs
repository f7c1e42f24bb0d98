namespace Relay.Chat.Channels;

/// <summary>Without a media plane no channel is live, so nothing is cued.</summary>
internal sealed class NoChannelMediaTime : IChannelMediaTime
{
    public long? StreamTimeMs(string channelId) => null;

    public void WriteCue(string channelId, long seq, string kind, string id, long streamTimeMs)
    {
    }
}
