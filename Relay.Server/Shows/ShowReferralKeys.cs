using Relay.Chat.Referrals;

namespace Relay.Server.Shows;

/// <summary>The show a share-code visit belongs to, so a visitor counts once per show: the running show's id, or
/// `after:{id}` of the last one between shows (a visit while the channel waits for its next show).</summary>
public sealed class ShowReferralKeys(IShowStore shows) : IReferralShows
{
    public async Task<string> CurrentShowKeyAsync(string channelId, CancellationToken cancellationToken) =>
        await shows.LatestAsync(channelId, cancellationToken) switch
        {
            { EndedAt: null } running => running.Id,
            { } ended => "after:" + ended.Id,
            null => "",
        };
}
