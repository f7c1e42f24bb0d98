namespace Relay.Chat.Referrals;

/// <summary>One share code's results in a channel (`GET /api/v1/channels/{id}/referrals`): visits counted once per
/// visitor and show, and the confirmed orders that carried the code as their referrer.</summary>
public sealed record ReferralLine(string ShareCode, string SharerId, int Visits, int Buyers, int Orders, int Units, long GmvCents);
