namespace Relay.Ingest.Streams;

/// <summary>
/// Whether a channel is set to rehearse (implemented by the server over its catalog). A rehearsing channel's publish is
/// accepted and previewed but is not public: no destination, no recording, no HLS, no public HTTP-FLV, no live room.
/// The server calls <see cref="LiveChannelRegistry.RehearsalChanged"/> after the answer changes.
/// </summary>
public interface IChannelRehearsal
{
    bool IsRehearsal(string channelId);
}
