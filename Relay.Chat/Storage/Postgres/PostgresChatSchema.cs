using Relay.Common.Storage;

namespace Relay.Chat.Storage.Postgres;

/// <summary>
/// The live room's tables in the cluster's PostgreSQL: the same tables, columns and rules as the embedded file
/// (<see cref="ChatSchema"/>, module <c>chat</c> of <c>relay_schema</c>) in PostgreSQL's words, created in their current
/// shape, plus <c>orders_orders.lease_owner</c> (which node holds an order's lease). Times are milliseconds since
/// 1970 as on SQLite, so the statements stay one text. Append only: a released step is never edited.
/// </summary>
public static class PostgresChatSchema
{
    public static ModuleSchema Definition { get; } = new(ChatSchema.Module,
    [
        Migration.Sql(1,
            """
            CREATE TABLE chat_lineup_stock (
                channel_id TEXT NOT NULL, sku TEXT NOT NULL,
                stock BIGINT NULL CHECK (stock IS NULL OR stock >= 0),
                held BIGINT NOT NULL DEFAULT 0 CHECK (held >= 0),
                epoch BIGINT NOT NULL DEFAULT 0,
                PRIMARY KEY (channel_id, sku));
            CREATE TABLE chat_flash_sales (
                sale_id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, sku TEXT NOT NULL,
                price_cents BIGINT NOT NULL, currency TEXT NOT NULL,
                quantity INTEGER NOT NULL, remaining INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= quantity),
                ends_at BIGINT NOT NULL, ended INTEGER NOT NULL DEFAULT 0);
            CREATE INDEX chat_flash_sales_active ON chat_flash_sales (channel_id, ended);
            CREATE TABLE orders_orders (
                order_id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, sku TEXT NOT NULL,
                quantity INTEGER NOT NULL, unit_price_cents BIGINT NOT NULL, currency TEXT NOT NULL,
                buyer_id TEXT NOT NULL, buyer_name TEXT NOT NULL, referrer TEXT NULL,
                flash_sale_id TEXT NULL, lineup_reserved INTEGER NOT NULL,
                ledger_epoch BIGINT NOT NULL DEFAULT 0,
                status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at BIGINT NOT NULL, lease_until BIGINT NOT NULL DEFAULT 0, lease_owner TEXT NULL,
                last_error TEXT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
            CREATE INDEX orders_orders_due ON orders_orders (status, next_attempt_at);
            CREATE INDEX orders_orders_channel ON orders_orders (channel_id, created_at);
            CREATE INDEX orders_orders_buyer ON orders_orders (channel_id, buyer_id, sku, status, ledger_epoch, flash_sale_id, quantity);
            CREATE TABLE orders_purchase_keys (
                channel_id TEXT NOT NULL, buyer_id TEXT NOT NULL, idempotency_key TEXT NOT NULL,
                order_id TEXT NOT NULL, PRIMARY KEY (channel_id, buyer_id, idempotency_key));
            CREATE TABLE orders_api_received (
                idempotency_key TEXT PRIMARY KEY, order_id TEXT NOT NULL, channel_id TEXT NOT NULL,
                body TEXT NOT NULL, response TEXT NOT NULL, received_at BIGINT NOT NULL);
            CREATE INDEX orders_api_received_channel ON orders_api_received (channel_id, received_at);
            """),
        // v2 member prices and share codes (ChatSchema step 3).
        Migration.Sql(2,
            """
            ALTER TABLE orders_orders ADD COLUMN member_price INTEGER NOT NULL DEFAULT 0;
            CREATE TABLE chat_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE chat_share_codes (share_code TEXT PRIMARY KEY, sharer_id TEXT NOT NULL, created_at BIGINT NOT NULL);
            CREATE TABLE chat_referral_visits (
                channel_id TEXT NOT NULL, share_code TEXT NOT NULL, visitor_id TEXT NOT NULL, show_key TEXT NOT NULL,
                visited_at BIGINT NOT NULL, PRIMARY KEY (channel_id, share_code, visitor_id, show_key));
            CREATE INDEX orders_orders_referrer ON orders_orders (channel_id, referrer);
            """),
    ]);
}
