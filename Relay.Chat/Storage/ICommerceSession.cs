namespace Relay.Chat.Storage;

/// <summary>
/// A transaction (or a read) on the live room's tables, whatever the engine. The statements of one call run in order;
/// where the engine can, they travel together (PostgreSQL: one batch, one network round trip), so a group-committed
/// batch of reservations costs a few round trips, not a few per purchase.
/// </summary>
internal interface ICommerceSession
{
    Task<IReadOnlyList<SqlResult>> RunAsync(IReadOnlyList<SqlCall> calls, CancellationToken cancellationToken);
}
