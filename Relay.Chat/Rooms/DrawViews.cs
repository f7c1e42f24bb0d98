using Relay.Chat.Contracts;
using Relay.Chat.Ledger;

namespace Relay.Chat.Rooms;

/// <summary>A stored draw as the room shows it (never its seed while it runs).</summary>
internal static class DrawViews
{
    public static DrawView Of(DrawRecord d) => new()
    {
        DrawId = d.DrawId, Sku = d.Sku, Winners = d.Winners, EndsAt = d.EndsAt.UtcDateTime, Requires = d.Requires,
        Commitment = d.Commitment, Entrants = d.Entrants, Active = !d.Ended,
        Result = d.Ended ? ResultOf(d) : null,
    };

    public static DrawResultView ResultOf(DrawRecord d) => new()
    {
        DrawId = d.DrawId, Seed = d.Seed, Entrants = d.Entrants,
        Winners = [.. d.WinnerList.Select(w => new DrawWinnerView { UserId = w.DisplayId, DisplayName = w.DisplayName })],
    };
}
