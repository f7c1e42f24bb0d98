using Relay.Chat.Identity;

namespace Relay.Chat.Rooms;

/// <summary>Per-connection state, kept in the hub connection's Items.</summary>
public sealed class LiveSession
{
    internal LiveSession(string connectionId, string? accessToken, TokenBucket calls, TokenBucket messages)
    {
        ConnectionId = connectionId;
        AccessToken = accessToken;
        Calls = calls;
        Messages = messages;
    }

    public string ConnectionId { get; }

    /// <summary>Kept only to resolve the role at Join; never logged, never sent.</summary>
    internal string? AccessToken { get; }

    internal TokenBucket Calls { get; }

    internal TokenBucket Messages { get; }

    public string? ChannelId { get; internal set; }

    public Participant? Participant { get; internal set; }

    public string? Referrer { get; internal set; }

    internal DateTimeOffset LastMessageAt { get; set; } = DateTimeOffset.MinValue;

    internal const string ItemKey = "relay.live-session";
}
