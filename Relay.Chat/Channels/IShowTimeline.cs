using System.Text.Json;

namespace Relay.Chat.Channels;

/// <summary>
/// Told what the host did on air (pin, unpin, flash sale start/end), after the room heard it, so
/// the host can keep a show's timeline beside its recording. Implemented by the server; the
/// default keeps nothing. Must not throw or block: it runs on the hub call's path.
/// </summary>
public interface IShowTimeline
{
    /// <param name="payload">The event as JSON, made by the type's own source-generated context.</param>
    void Mark(string channelId, string kind, JsonElement payload);

    /// <summary>The same, at the stream time the action was stamped with (<see cref="IChannelMediaTime"/>), so the
    /// replay shows it at the picture the viewers saw it with; null when the channel was not live here.</summary>
    void Mark(string channelId, string kind, JsonElement payload, long? streamTimeMs) => Mark(channelId, kind, payload);
}
