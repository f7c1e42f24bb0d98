namespace Relay.Chat.Ledger;

/// <summary>
/// Draws, durable (chat_draws, chat_draw_entries) in the same database as the outbox: entries are unique per buyer across
/// nodes, and the end is one guarded transition (open -> ended) that writes every winner's prize order to the outbox in
/// the same transaction, so whichever node ends the draw, and however often it is tried, each winner gets one order.
/// </summary>
public interface IDrawStore
{
    /// <summary>False when the channel already has an open draw (one at a time).</summary>
    Task<bool> StartDrawAsync(DrawRecord draw, CancellationToken cancellationToken);

    /// <summary>Enters <paramref name="entrant"/> (unique per display id) while the draw is open and before its end.</summary>
    Task<DrawEntry> EnterDrawAsync(string drawId, DrawEntrant entrant, string buyerId, string? referrer, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Open draws whose time is up: (draw id, channel id).</summary>
    Task<IReadOnlyList<(string DrawId, string ChannelId)>> DueDrawsAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Ends the draw if it is still open and due: draws the winners (<see cref="DrawMethod"/>) and writes their
    /// prize orders (price 0, <c>draw_id</c> set) to the outbox, in one transaction. Null when it was not open (another
    /// node, or an earlier try, ended it) or not due.</summary>
    Task<DrawRecord?> EndDrawAsync(string drawId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The draw with, once ended, its sorted entrant ids; null when the channel has no such draw.</summary>
    Task<DrawRecord?> FindDrawAsync(string channelId, string drawId, CancellationToken cancellationToken);

    /// <summary>The channel's latest draw (by start), for a room that opens.</summary>
    Task<DrawRecord?> LatestDrawAsync(string channelId, CancellationToken cancellationToken);
}
