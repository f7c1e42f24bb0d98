namespace Relay.Server.Shows;

/// <summary>Confirmed sales that came through one referrer (<c>?ref=</c> of the watch page); null = no referrer.
/// <paramref name="Visits"/>: viewers who joined the show through that share code (once each).</summary>
public sealed record ShowReferrerLine(string? Referrer, int Orders, int Units, long GmvCents, int Buyers, int Visits = 0);
