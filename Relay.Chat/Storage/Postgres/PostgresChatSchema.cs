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
        // Coupons (issue 16): the same tables as the embedded file's step 3.
        Migration.Sql(2,
            """
            CREATE TABLE chat_coupons (
                coupon_id TEXT PRIMARY KEY, channel_id TEXT NOT NULL,
                discount_cents BIGINT NULL, percent_off INTEGER NULL, min_spend_cents BIGINT NOT NULL DEFAULT 0,
                sku TEXT NULL, currency TEXT NOT NULL,
                quantity INTEGER NOT NULL, remaining INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= quantity),
                per_buyer INTEGER NOT NULL, ends_at BIGINT NOT NULL, created_at BIGINT NOT NULL);
            CREATE INDEX chat_coupons_channel ON chat_coupons (channel_id, ends_at);
            CREATE TABLE chat_coupon_claims (
                coupon_id TEXT NOT NULL, buyer_id TEXT NOT NULL,
                claimed INTEGER NOT NULL CHECK (claimed >= 0),
                used INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0 AND used <= claimed),
                PRIMARY KEY (coupon_id, buyer_id));
            ALTER TABLE orders_orders ADD COLUMN coupon_id TEXT NULL;
            ALTER TABLE orders_orders ADD COLUMN discount_cents BIGINT NOT NULL DEFAULT 0;
            """),
        // Issue 16: followers, reminders and the CRM outbox (ChatSchema step 3).
        Migration.Sql(3,
            """
            CREATE TABLE social_followers (
                channel_id TEXT NOT NULL, buyer_id TEXT NOT NULL, buyer_name TEXT NOT NULL, referrer TEXT NULL,
                following INTEGER NOT NULL, followed_at BIGINT NOT NULL, first_followed_at BIGINT NOT NULL,
                PRIMARY KEY (channel_id, buyer_id));
            CREATE INDEX social_followers_list ON social_followers (channel_id, following, followed_at, buyer_id);
            CREATE INDEX social_followers_first ON social_followers (channel_id, first_followed_at);
            CREATE TABLE social_reminders (
                channel_id TEXT NOT NULL, buyer_id TEXT NOT NULL, next_show_at BIGINT NOT NULL, reminded_at BIGINT NOT NULL,
                PRIMARY KEY (channel_id, buyer_id, next_show_at));
            CREATE TABLE crm_events (
                event_id TEXT PRIMARY KEY, event TEXT NOT NULL, channel_id TEXT NOT NULL, body TEXT NOT NULL,
                status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at BIGINT NOT NULL, lease_until BIGINT NOT NULL DEFAULT 0, lease_owner TEXT NULL,
                last_error TEXT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
            CREATE INDEX crm_events_due ON crm_events (status, next_attempt_at);
            """),
        // Issue 16 (SQLite step 5): pre-launch flash sales, a channel's likes.
        Migration.Sql(4,
            """
            ALTER TABLE chat_flash_sales ADD COLUMN starts_at BIGINT NULL;
            CREATE TABLE chat_likes (channel_id TEXT PRIMARY KEY, total BIGINT NOT NULL CHECK (total >= 0));
            """),
        // Issue 16 (SQLite step 6): draws, their entries, prize orders' draw id.
        Migration.Sql(5,
            """
            CREATE TABLE chat_draws (
                draw_id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, sku TEXT NOT NULL, currency TEXT NOT NULL,
                winners INTEGER NOT NULL, requires TEXT NOT NULL, commitment TEXT NOT NULL, seed TEXT NOT NULL,
                started_at BIGINT NOT NULL, ends_at BIGINT NOT NULL, status TEXT NOT NULL,
                entrants INTEGER NOT NULL DEFAULT 0, winner_ids TEXT NULL);
            CREATE UNIQUE INDEX chat_draws_one_open ON chat_draws (channel_id) WHERE status = 'open';
            CREATE INDEX chat_draws_due ON chat_draws (status, ends_at);
            CREATE INDEX chat_draws_channel ON chat_draws (channel_id, started_at);
            CREATE TABLE chat_draw_entries (
                draw_id TEXT NOT NULL, display_id TEXT NOT NULL, buyer_id TEXT NOT NULL, display_name TEXT NOT NULL,
                referrer TEXT NULL, entered_at BIGINT NOT NULL, PRIMARY KEY (draw_id, display_id));
            ALTER TABLE orders_orders ADD COLUMN draw_id TEXT NULL;
            """),
        // v2 member prices and share codes (ChatSchema step 7).
        Migration.Sql(6,
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
