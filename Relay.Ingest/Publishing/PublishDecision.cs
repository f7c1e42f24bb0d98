namespace Relay.Ingest.Publishing;

/// <summary>Outcome of <see cref="IPublishAuthorizer.AuthorizeAsync"/>.</summary>
public sealed record PublishDecision
{
    private PublishDecision(string? channelId, string? reason)
    {
        ChannelId = channelId;
        Reason = reason;
    }

    public bool Accepted => ChannelId is not null;

    /// <summary>The channel the key belongs to, when accepted.</summary>
    public string? ChannelId { get; }

    /// <summary>A reason token from <see cref="PublishRejectReason"/>, when rejected.</summary>
    public string? Reason { get; }

    public static PublishDecision Accept(string channelId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(channelId);
        return new PublishDecision(channelId, null);
    }

    public static PublishDecision Reject(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new PublishDecision(null, reason);
    }
}
