namespace Relay.Chat.Configuration;

/// <summary>`Relay:Guests`: the signed guest identities of `POST /api/v1/guests`.</summary>
public sealed class GuestOptions
{
    public const string Section = "Relay:Guests";

    /// <summary>How long a guest token is accepted after it was minted.</summary>
    public int TokenLifetimeDays { get; set; } = 30;

    /// <summary>Mints one client address may make at once (token bucket per IPv4 address or IPv6 /64) ...</summary>
    public int MintBurstPerAddress { get; set; } = 10;

    /// <summary>... refilled at this many per minute. Each mint is a new buyer and a way out of a mute, so this bounds
    /// how fast one address can become someone else.</summary>
    public int MintsPerMinutePerAddress { get; set; } = 10;
}
