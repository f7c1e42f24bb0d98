namespace Relay.Chat.Referrals;

/// <summary>No shows known: a visitor counts once per channel.</summary>
internal sealed class OneShowPerChannel : IReferralShows
{
    public Task<string> CurrentShowKeyAsync(string channelId, CancellationToken cancellationToken) => Task.FromResult("");
}
