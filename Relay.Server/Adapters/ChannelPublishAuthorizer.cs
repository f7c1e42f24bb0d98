using Relay.Ingest.Publishing;
using Relay.Ingest.Streams;
using Relay.Server.Channels;

namespace Relay.Server.Adapters;

/// <summary>The gateway asks the channel store whose stream key (primary) or backup stream key a publish carries.</summary>
public sealed class ChannelPublishAuthorizer(ChannelService channels) : IPublishAuthorizer
{
    public ValueTask<PublishDecision> AuthorizeAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.StreamKey))
        {
            return ValueTask.FromResult(PublishDecision.Reject(PublishRejectReason.MissingKey));
        }
        return ValueTask.FromResult(
            channels.FindByStreamKey(request.StreamKey) is { } channel ? PublishDecision.Accept(channel.Id)
            : channels.FindByBackupStreamKey(request.StreamKey) is { } backedUp ? PublishDecision.Accept(backedUp.Id, IngestInput.Backup)
            : PublishDecision.Reject(PublishRejectReason.BadKey));
    }
}
