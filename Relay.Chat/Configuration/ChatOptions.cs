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

    /// <summary>SQLite connection string of the embedded store. Unset = `{Relay:DataDir}/relay.db`.</summary>
    public string? ConnectionString { get; set; }
}
