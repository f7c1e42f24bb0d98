using System.Text.Json;

namespace Relay.Chat.Channels;

internal sealed class NoShowTimeline : IShowTimeline
{
    public void Mark(string channelId, string kind, JsonElement payload)
    {
    }
}
