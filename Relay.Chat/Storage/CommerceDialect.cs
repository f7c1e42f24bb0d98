namespace Relay.Chat.Storage;

/// <summary>
/// The few places where SQLite and PostgreSQL spell the commerce store's statements differently; everything else is
/// one text for both (<c>$1..$n</c> parameters, <c>ON CONFLICT</c>, <c>RETURNING</c>).
/// </summary>
/// <param name="Least">The two-argument minimum: <c>MIN</c> / <c>LEAST</c>.</param>
/// <param name="Greatest">The two-argument maximum: <c>MAX</c> / <c>GREATEST</c>.</param>
/// <param name="LockRows">Appended to a reservation's reads of the ledger and sale rows it may change: nothing where the
/// transaction already excludes every other writer (SQLite's BEGIN IMMEDIATE), <c>FOR UPDATE</c> where writers run
/// at once (PostgreSQL: the nodes of a cluster).</param>
/// <param name="SkipLocked">Appended to the outbox claim's choice of rows: <c>FOR UPDATE SKIP LOCKED</c> on PostgreSQL,
/// so two nodes claiming at once take different orders without waiting for each other.</param>
/// <param name="BulkRows">The engine takes arrays as parameters (PostgreSQL's <c>unnest</c>): a reservation batch reads its
/// keys and buyers' units and writes its orders and keys in one statement each instead of one per purchase. Each
/// statement costs the server a parse-bind-execute round inside the batch's row locks, so on PostgreSQL their number,
/// not their rows, sets how long a hot sku's ledger row stays locked. SQLite runs in-process, where a statement is a
/// function call: it keeps the one-row statements.</param>
/// <param name="ClaimOwner">Added to the claim's SET list, naming the claiming node (<c>$4</c>), or empty.</param>
/// <param name="ReleaseLeases">The statement that drops leases at a dispatcher's start (<c>$1</c> = this node, where it counts).</param>
/// <param name="ReceivedBody">The built-in order API list's expression: the received body with the answered status.</param>
/// <param name="SequenceBase">Where the stock counts a transaction reads get their order (<see cref="LedgerSequence"/>):
/// null on SQLite (one process, its own counter); on PostgreSQL the database server's clock in microseconds x 1024, read
/// after the transaction holds its row locks, so the counts of one sku read on different nodes are ordered as their
/// transactions were (rooms keep the newest count, whichever node read it).</param>
internal sealed record CommerceDialect(
    string Least,
    string Greatest,
    string LockRows,
    string SkipLocked,
    bool BulkRows,
    string ClaimOwner,
    string ReleaseLeases,
    string ReceivedBody,
    string? SequenceBase)
{
    public static CommerceDialect Sqlite { get; } = new(
        "MIN", "MAX", "", "", false, "",
        // One dispatcher per file: leases left by a killed predecessor would only delay its orders.
        "UPDATE orders_orders SET lease_until = 0 WHERE status = 'pending' AND lease_until <> 0;",
        "json_set(body, '$.status', json_extract(response, '$.status'))",
        null);

    public static CommerceDialect Postgres { get; } = new(
        "LEAST", "GREATEST", " FOR UPDATE", " FOR UPDATE SKIP LOCKED", true, ", lease_owner = $4",
        // Several dispatchers share the outbox: a node drops only its own leases (those of its killed predecessor under
        // the same node id); another node's leases are live deliveries, or end by themselves.
        "UPDATE orders_orders SET lease_until = 0, lease_owner = NULL WHERE status = 'pending' AND lease_until <> 0 AND lease_owner = $1;",
        "substr(body, 1, length(body) - 1) || ',\"status\":' || (response::json -> 'status')::text || '}'",
        "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint * 1024;");

    /// <summary><see cref="ReleaseLeases"/> for another outbox table with the same lease columns (the CRM's).</summary>
    public string ReleaseLeasesOf(string table) => ReleaseLeases.Replace("orders_orders", table, StringComparison.Ordinal);
}
