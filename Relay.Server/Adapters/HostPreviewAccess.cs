using Relay.Ingest.Consumers.HttpFlv;
using Relay.Server.Access;
using Relay.Server.Channels;

namespace Relay.Server.Adapters;

/// <summary>The studio's preview: the channel's own host key or the admin token, compared in constant time.</summary>
public sealed class HostPreviewAccess(ChannelService channels, AdminToken admin) : IPreviewAccess
{
    public bool MayPreview(string channelId, string token) => admin.Matches(token) | channels.IsHostKey(channelId, token);
}
