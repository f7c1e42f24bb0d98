namespace Relay.Chat.Storage.Postgres;

/// <summary>
/// Stock ledger, order outbox and order list in the cluster's PostgreSQL: <see cref="CommerceStore"/> (the same rules,
/// the same statements) on <see cref="PostgresChatDatabase"/>. Reservations are group-committed per node and lock the
/// ledger and sale rows they change, so stock, per-buyer caps and idempotency keys are exact with every node buying at
/// once; the outbox is claimed <c>FOR UPDATE SKIP LOCKED</c> with a lease naming <paramref name="node"/>, so any node
/// delivers and a dead node's orders are due again when their lease ends.
/// </summary>
public sealed class PostgresCommerceStore(PostgresChatDatabase database, string node) : CommerceStore(database, node);
