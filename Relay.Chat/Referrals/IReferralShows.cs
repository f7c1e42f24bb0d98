namespace Relay.Chat.Referrals;

/// <summary>Which show a visit belongs to, so a visitor counts once per show: the host knows the shows (Relay.Server's
/// show recorder). Without a host that does, every visit of a channel is one show ("").</summary>
public interface IReferralShows
{
    Task<string> CurrentShowKeyAsync(string channelId, CancellationToken cancellationToken);
}
