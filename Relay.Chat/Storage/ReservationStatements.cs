using Microsoft.Data.Sqlite;

namespace Relay.Chat.Storage;

/// <summary>The statements of a reservation, prepared once per group-commit transaction and run once per purchase
/// (SQLite keeps a command's compiled statements, so only the parameter values change).</summary>
internal sealed class ReservationStatements(SqliteConnection connection, SqliteTransaction transaction) : IAsyncDisposable
{
    public SqliteStatement FindKey { get; } = new(connection, transaction,
        "SELECT order_id FROM orders_purchase_keys WHERE channel_id = $1 AND buyer_id = $2 AND idempotency_key = $3;");

    public SqliteStatement TakeFlash { get; } = new(connection, transaction,
        "UPDATE chat_flash_sales SET remaining = remaining - $1 WHERE sale_id = $2 AND ended = 0 AND ends_at > $3 AND remaining >= $1 RETURNING remaining;");

    public SqliteStatement FlashState { get; } = new(connection, transaction,
        "SELECT ended, ends_at, remaining FROM chat_flash_sales WHERE sale_id = $1;");

    public SqliteStatement GiveBackFlash { get; } = new(connection, transaction,
        "UPDATE chat_flash_sales SET remaining = remaining + $1 WHERE sale_id = $2 RETURNING remaining;");

    public SqliteStatement TakeLineup { get; } = new(connection, transaction,
        "UPDATE chat_lineup_stock SET remaining = remaining - $1 WHERE channel_id = $2 AND sku = $3 AND remaining >= $1 RETURNING remaining;");

    public SqliteStatement LineupState { get; } = new(connection, transaction,
        "SELECT remaining FROM chat_lineup_stock WHERE channel_id = $1 AND sku = $2;");

    public SqliteStatement InsertOrder { get; } = new(connection, transaction,
        """
        INSERT INTO orders_orders (order_id, channel_id, sku, quantity, unit_price_cents, currency, buyer_id, buyer_name, referrer,
            flash_sale_id, lineup_reserved, status, attempts, next_attempt_at, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', 0, $12, $12, $12);
        """);

    public SqliteStatement InsertKey { get; } = new(connection, transaction,
        "INSERT INTO orders_purchase_keys (channel_id, buyer_id, idempotency_key, order_id) VALUES ($1, $2, $3, $4);");

    public async ValueTask DisposeAsync()
    {
        foreach (var s in new[] { FindKey, TakeFlash, FlashState, GiveBackFlash, TakeLineup, LineupState, InsertOrder, InsertKey })
            await s.DisposeAsync();
    }
}
