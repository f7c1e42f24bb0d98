namespace Relay.Chat.Channels;

/// <summary>
/// The media plane's clock of a live channel and its cue output (contract v2, "Media-time events"), implemented by the
/// server from the channel's stream hub; the default knows no stream. Must not throw or block: it runs on the hub call's
/// and the room bus's paths.
/// </summary>
public interface IChannelMediaTime
{
    /// <summary>The stream time of the channel on this node in ms (the last audio/video timestamp its ingest, or on a
    /// cluster's non-owner the mirror of the owner's, received), or null when the channel is not live here.</summary>
    long? StreamTimeMs(string channelId);

    /// <summary>A cue the room applied (on every node): the node where the channel is published writes it into the
    /// channel's outputs at <paramref name="streamTimeMs"/>; the others do nothing (their mirrors carry it).</summary>
    void WriteCue(string channelId, long seq, string kind, string id, long streamTimeMs);
}
