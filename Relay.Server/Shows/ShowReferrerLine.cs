namespace Relay.Server.Shows;

/// <summary>Confirmed sales that came through one referrer (<c>?ref=</c> of the watch page); null = no referrer.</summary>
public sealed record ShowReferrerLine(string? Referrer, int Orders, int Units, long GmvCents, int Buyers);
