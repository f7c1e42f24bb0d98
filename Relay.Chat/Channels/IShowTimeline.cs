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
}
