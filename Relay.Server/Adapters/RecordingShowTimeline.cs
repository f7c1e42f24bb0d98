using System.Text.Json;
using Relay.Chat.Channels;

namespace Relay.Server.Adapters;

/// <summary>What the host does on air lands in the recording's timeline, at the recording's clock.</summary>
public sealed class RecordingShowTimeline(Relay.Ingest.Consumers.Recording.RecordingService recordings) : IShowTimeline
{
    public void Mark(string channelId, string kind, JsonElement payload) => recordings.AddMarker(channelId, kind, payload);

    /// <summary>A stamped action lands at the recording's position of its stream time, the picture viewers saw it with.</summary>
    public void Mark(string channelId, string kind, JsonElement payload, long? streamTimeMs) => recordings.AddMarker(channelId, kind, payload, streamTimeMs);
}
