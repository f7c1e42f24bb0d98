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

    /// <summary>The sku's ledger row: (stock or -1 when unlimited, held, epoch).</summary>
    public SqliteStatement LineupState { get; } = new(connection, transaction,
        "SELECT COALESCE(stock, -1), held, epoch FROM chat_lineup_stock WHERE channel_id = $1 AND sku = $2;");

    public SqliteStatement AddUnlimited { get; } = new(connection, transaction,
        "INSERT INTO chat_lineup_stock (channel_id, sku, stock, held, epoch) VALUES ($1, $2, NULL, 0, 0) ON CONFLICT DO NOTHING;");

    /// <summary>Counts the units as held when they fit under the sku's total; returns what is left (-1 = unlimited).</summary>
    public SqliteStatement TakeLineup { get; } = new(connection, transaction,
        """
        UPDATE chat_lineup_stock SET held = held + $1
        WHERE channel_id = $2 AND sku = $3 AND (stock IS NULL OR stock - held >= $1)
        RETURNING COALESCE(stock - held, -1);
        """);

    /// <summary>The units this buyer holds (orders not failed) of the sku in the ledger epoch $4, and of the flash sale $5.</summary>
    public SqliteStatement BuyerUnits { get; } = new(connection, transaction,
        """
        SELECT COALESCE(SUM(CASE WHEN ledger_epoch = $4 THEN quantity ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN flash_sale_id = $5 THEN quantity ELSE 0 END), 0)
        FROM orders_orders WHERE channel_id = $1 AND buyer_id = $2 AND sku = $3 AND status <> 'failed';
        """);

    public SqliteStatement InsertOrder { get; } = new(connection, transaction,
        """
        INSERT INTO orders_orders (order_id, channel_id, sku, quantity, unit_price_cents, currency, buyer_id, buyer_name, referrer,
            flash_sale_id, lineup_reserved, ledger_epoch, status, attempts, next_attempt_at, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, 'pending', 0, $12, $12, $12);
        """);

    public SqliteStatement InsertKey { get; } = new(connection, transaction,
        "INSERT INTO orders_purchase_keys (channel_id, buyer_id, idempotency_key, order_id) VALUES ($1, $2, $3, $4);");

    public async ValueTask DisposeAsync()
    {
        foreach (var s in new[] { FindKey, TakeFlash, FlashState, GiveBackFlash, AddUnlimited, LineupState, TakeLineup, BuyerUnits, InsertOrder, InsertKey })
            await s.DisposeAsync();
    }
}
