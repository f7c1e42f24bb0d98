namespace Relay.Chat.Configuration;

/// <summary>`Relay:Chat`: moderation and hub limits.</summary>
public sealed class ChatOptions
{
    public const string Section = "Relay:Chat";

    public int MaxMessageLength { get; set; } = 500;

    /// <summary>Token bucket per connection: this many messages may burst ...</summary>
    public int RateLimitMessages { get; set; } = 5;

    /// <summary>... and the bucket refills completely over this window.</summary>
    public double RateLimitWindowSeconds { get; set; } = 10;

    public string[] BannedTerms { get; set; } = [];

    public int RecentMessages { get; set; } = 50;

    /// <summary>How many of its last events a room keeps for <c>Resume</c>: a client that reconnects having missed more
    /// gets a fresh snapshot instead.</summary>
    public int ResumeEvents { get; set; } = 512;

    /// <summary>Largest hub frame accepted; a bigger one closes only that connection.</summary>
    public int MaxReceiveMessageBytes { get; set; } = 32 * 1024;

    /// <summary>Viewer count changes are coalesced into one `viewers` event per room per interval.</summary>
    public int ViewerCountDebounceMilliseconds { get; set; } = 1000;

    public int MaxMuteSeconds { get; set; } = 24 * 3600;

    public int MaxSlowModeSeconds { get; set; } = 3600;

    public int MaxFlashSaleSeconds { get; set; } = 6 * 3600;

    /// <summary>Hub calls of any kind per connection (burst); refills at this rate per second.</summary>
    public int MaxCallsPerSecond { get; set; } = 20;

    public int MaxDisplayNameLength { get; set; } = 32;

    /// <summary>Like calls per connection (burst), refilled at this rate per second; each call carries 1-50 taps. The watch
    /// page sends at most one every 250 ms.</summary>
    public int MaxLikeCallsPerSecond { get; set; } = 6;

    /// <summary>Room-wide budget of non-moderator messages (token bucket per room): refills at this rate ...</summary>
    public double RoomMessagesPerSecond { get; set; } = 20;

    /// <summary>... and holds at most this many. Past it a message is refused `slow_mode` whoever sends it, so N
    /// connections cannot turn their per-connection allowance into N times the writes to every viewer.</summary>
    public int RoomMessageBurst { get; set; } = 40;

    /// <summary>Words a guest or viewer may not take as (part of) a display name: the role words a host would be
    /// mistaken for. The host's own display name in the room is reserved too.</summary>
    public string[] ReservedDisplayNames { get; set; } =
        ["host", "admin", "administrator", "moderator", "mod", "owner", "staff", "official", "system", "relay",
         "主播", "管理员", "房管", "官方", "客服", "系统"];

    /// <summary>SQLite connection string of the embedded store. Unset = `{Relay:DataDir}/relay.db`.</summary>
    public string? ConnectionString { get; set; }
}
