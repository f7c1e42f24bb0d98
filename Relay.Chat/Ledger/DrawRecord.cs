namespace Relay.Chat.Ledger;

/// <summary>A draw as stored (chat_draws): its secret <see cref="Seed"/> (hex) stays on the server until the draw ends.</summary>
/// <param name="Winners">How many winners it draws (at most the entrants).</param>
/// <param name="Entrants">Entries so far (the final count once ended).</param>
/// <param name="WinnerList">Once ended: the winners in the order drawn.</param>
/// <param name="EntrantIds">Once ended, when asked for: every entrant's display id, sorted (ordinal).</param>
public sealed record DrawRecord(
    string DrawId, string ChannelId, string Sku, string Currency, int Winners, string Requires, string Commitment, string Seed,
    DateTimeOffset StartedAt, DateTimeOffset EndsAt, bool Ended, int Entrants,
    IReadOnlyList<DrawEntrant> WinnerList, IReadOnlyList<string>? EntrantIds = null);
