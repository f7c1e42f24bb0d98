using Relay.Ingest.Streams;

namespace Relay.Ingest.Publishing;

/// <summary>Outcome of <see cref="IPublishAuthorizer.AuthorizeAsync"/>.</summary>
public sealed record PublishDecision
{
    private PublishDecision(string? channelId, string? reason, IngestInput input = IngestInput.Primary)
    {
        ChannelId = channelId;
        Reason = reason;
        Input = input;
    }

    public bool Accepted => ChannelId is not null;

    /// <summary>The channel the key belongs to, when accepted.</summary>
    public string? ChannelId { get; }

    /// <summary>A reason token from <see cref="PublishRejectReason"/>, when rejected.</summary>
    public string? Reason { get; }

    /// <summary>Which of the channel's keys was used: the stream key (primary) or the backup stream key.</summary>
    public IngestInput Input { get; }

    public static PublishDecision Accept(string channelId, IngestInput input = IngestInput.Primary)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(channelId);
        return new PublishDecision(channelId, null, input);
    }

    public static PublishDecision Reject(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new PublishDecision(null, reason);
    }
}
