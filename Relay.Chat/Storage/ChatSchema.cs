using System.Data.Common;
using Relay.Common.Storage;

namespace Relay.Chat.Storage;

/// <summary>
/// The live room's tables in relay.db, prefixed <c>chat_</c> and <c>orders_</c> (module <c>chat</c> of
/// <c>relay_schema</c>). Append only: a released step is never edited.
/// </summary>
public static class ChatSchema
{
    public const string Module = "chat";

    /// <summary>The version table the live room kept before <c>relay_schema</c> (Relay up to issue 13).</summary>
    internal const string LegacyVersionTable = "chat_schema_version";

    public static ModuleSchema Definition { get; } = new(Module,
    [
        Migration.Sql(1,
            """
            CREATE TABLE chat_lineup_stock (
                channel_id TEXT NOT NULL, sku TEXT NOT NULL,
                remaining INTEGER NOT NULL CHECK (remaining >= 0),
                PRIMARY KEY (channel_id, sku));
            CREATE TABLE chat_flash_sales (
                sale_id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, sku TEXT NOT NULL,
                price_cents INTEGER NOT NULL, currency TEXT NOT NULL,
                quantity INTEGER NOT NULL, remaining INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= quantity),
                ends_at INTEGER NOT NULL, ended INTEGER NOT NULL DEFAULT 0);
            CREATE INDEX chat_flash_sales_active ON chat_flash_sales (channel_id, ended);
            CREATE TABLE orders_orders (
                order_id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, sku TEXT NOT NULL,
                quantity INTEGER NOT NULL, unit_price_cents INTEGER NOT NULL, currency TEXT NOT NULL,
                buyer_id TEXT NOT NULL, buyer_name TEXT NOT NULL, referrer TEXT NULL,
                flash_sale_id TEXT NULL, lineup_reserved INTEGER NOT NULL,
                status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL, lease_until INTEGER NOT NULL DEFAULT 0,
                last_error TEXT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
            CREATE INDEX orders_orders_due ON orders_orders (status, next_attempt_at);
            CREATE INDEX orders_orders_channel ON orders_orders (channel_id, created_at);
            CREATE TABLE orders_purchase_keys (
                channel_id TEXT NOT NULL, buyer_id TEXT NOT NULL, idempotency_key TEXT NOT NULL,
                order_id TEXT NOT NULL, PRIMARY KEY (channel_id, buyer_id, idempotency_key));
            CREATE TABLE orders_api_received (
                idempotency_key TEXT PRIMARY KEY, order_id TEXT NOT NULL, channel_id TEXT NOT NULL,
                body TEXT NOT NULL, response TEXT NOT NULL, received_at INTEGER NOT NULL);
            CREATE INDEX orders_api_received_channel ON orders_api_received (channel_id, received_at);
            """),
            // v2 stock rule: `stock` is the total the show may sell and `held` the units of its orders that are not failed
            // (pending, confirmed, dead letter), so remaining = max(0, stock - held) and a new line-up never makes sold
            // units sellable again. `epoch` counts explicit stock resets; an order remembers the epoch it was counted in
            // and gives its units back only to that epoch. Every sku of a line-up has a row (stock NULL = unlimited) so
            // `held` is what was sold whatever the stock was. Existing rows keep what buyers can get: held = the sku's
            // orders that are not failed, stock = remaining + held.
        Migration.Sql(2,
            """
            CREATE TABLE chat_lineup_stock_v2 (
                channel_id TEXT NOT NULL, sku TEXT NOT NULL,
                stock INTEGER NULL CHECK (stock IS NULL OR stock >= 0),
                held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),
                epoch INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (channel_id, sku));
            INSERT INTO chat_lineup_stock_v2 (channel_id, sku, stock, held)
                SELECT s.channel_id, s.sku, s.remaining + COALESCE(h.units, 0), COALESCE(h.units, 0)
                FROM chat_lineup_stock s
                LEFT JOIN (SELECT channel_id, sku, SUM(quantity) AS units FROM orders_orders WHERE status <> 'failed' GROUP BY channel_id, sku) h
                  ON h.channel_id = s.channel_id AND h.sku = s.sku;
            INSERT INTO chat_lineup_stock_v2 (channel_id, sku, stock, held)
                SELECT channel_id, sku, NULL, SUM(quantity) FROM orders_orders o
                WHERE status <> 'failed' AND NOT EXISTS (SELECT 1 FROM chat_lineup_stock s WHERE s.channel_id = o.channel_id AND s.sku = o.sku)
                GROUP BY channel_id, sku;
            DROP TABLE chat_lineup_stock;
            ALTER TABLE chat_lineup_stock_v2 RENAME TO chat_lineup_stock;
            ALTER TABLE orders_orders ADD COLUMN ledger_epoch INTEGER NOT NULL DEFAULT 0;
            -- Covering the per-buyer cap query (ReservationStatements), which runs in every reservation's transaction:
            -- it sums the buyer's orders of the sku from the index alone, without a table lookup per order.
            CREATE INDEX orders_orders_buyer ON orders_orders (channel_id, buyer_id, sku, status, ledger_epoch, flash_sale_id, quantity);
            """),
            // Coupons (issue 16): a coupon row whose `remaining` only goes down (a conditional update per claim), the claims
            // of each buyer (`claimed` up to per_buyer, `used` by purchases, given back when their order fails), and the
            // coupon an order used with the discount it got.
        Migration.Sql(3,
            """
            CREATE TABLE chat_coupons (
                coupon_id TEXT PRIMARY KEY, channel_id TEXT NOT NULL,
                discount_cents INTEGER NULL, percent_off INTEGER NULL, min_spend_cents INTEGER NOT NULL DEFAULT 0,
                sku TEXT NULL, currency TEXT NOT NULL,
                quantity INTEGER NOT NULL, remaining INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= quantity),
                per_buyer INTEGER NOT NULL, ends_at INTEGER NOT NULL, created_at INTEGER NOT NULL);
            CREATE INDEX chat_coupons_channel ON chat_coupons (channel_id, ends_at);
            CREATE TABLE chat_coupon_claims (
                coupon_id TEXT NOT NULL, buyer_id TEXT NOT NULL,
                claimed INTEGER NOT NULL CHECK (claimed >= 0),
                used INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0 AND used <= claimed),
                PRIMARY KEY (coupon_id, buyer_id));
            ALTER TABLE orders_orders ADD COLUMN coupon_id TEXT NULL;
            ALTER TABLE orders_orders ADD COLUMN discount_cents INTEGER NOT NULL DEFAULT 0;
            """),
        // Issue 16: followers of a channel (one row per viewer and channel, kept after an unfollow so a first follow is
            // known for ever), reminders (one per viewer, channel and announced next show) and the CRM outbox, written in
            // the follow's or the reminder's own transaction (event_id = the Idempotency-Key).
        Migration.Sql(4,
            """
            CREATE TABLE social_followers (
                channel_id TEXT NOT NULL, buyer_id TEXT NOT NULL, buyer_name TEXT NOT NULL, referrer TEXT NULL,
                following INTEGER NOT NULL, followed_at INTEGER NOT NULL, first_followed_at INTEGER NOT NULL,
                PRIMARY KEY (channel_id, buyer_id));
            CREATE INDEX social_followers_list ON social_followers (channel_id, following, followed_at, buyer_id);
            CREATE INDEX social_followers_first ON social_followers (channel_id, first_followed_at);
            CREATE TABLE social_reminders (
                channel_id TEXT NOT NULL, buyer_id TEXT NOT NULL, next_show_at INTEGER NOT NULL, reminded_at INTEGER NOT NULL,
                PRIMARY KEY (channel_id, buyer_id, next_show_at));
            CREATE TABLE crm_events (
                event_id TEXT PRIMARY KEY, event TEXT NOT NULL, channel_id TEXT NOT NULL, body TEXT NOT NULL,
                status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL, lease_until INTEGER NOT NULL DEFAULT 0, lease_owner TEXT NULL,
                last_error TEXT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
            CREATE INDEX crm_events_due ON crm_events (status, next_attempt_at);
            """),
        // Issue 16: a flash sale announced before it opens (pre-launch), and a channel's likes (the total survives a restart).
        Migration.Sql(5,
            """
            ALTER TABLE chat_flash_sales ADD COLUMN starts_at INTEGER NULL;
            CREATE TABLE chat_likes (channel_id TEXT PRIMARY KEY, total INTEGER NOT NULL CHECK (total >= 0));
            """),
        // Issue 16: draws (one open per channel), their entries (one per buyer), and prize orders' draw id.
        Migration.Sql(6,
            """
            CREATE TABLE chat_draws (
                draw_id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, sku TEXT NOT NULL, currency TEXT NOT NULL,
                winners INTEGER NOT NULL, requires TEXT NOT NULL, commitment TEXT NOT NULL, seed TEXT NOT NULL,
                started_at INTEGER NOT NULL, ends_at INTEGER NOT NULL, status TEXT NOT NULL,
                entrants INTEGER NOT NULL DEFAULT 0, winner_ids TEXT NULL);
            CREATE UNIQUE INDEX chat_draws_one_open ON chat_draws (channel_id) WHERE status = 'open';
            CREATE INDEX chat_draws_due ON chat_draws (status, ends_at);
            CREATE INDEX chat_draws_channel ON chat_draws (channel_id, started_at);
            CREATE TABLE chat_draw_entries (
                draw_id TEXT NOT NULL, display_id TEXT NOT NULL, buyer_id TEXT NOT NULL, display_name TEXT NOT NULL,
                referrer TEXT NULL, entered_at INTEGER NOT NULL, PRIMARY KEY (draw_id, display_id));
            ALTER TABLE orders_orders ADD COLUMN draw_id TEXT NULL;
            """),
        // v2 member prices: an order sold at the line-up item's member price says so (order API body, order lists).
        // v2 share codes: the secret they are derived with (drawn once), whose each code is, and the visits each brought
        // (one row per channel, code, visitor and show: the count is exact across reconnects and nodes).
        Migration.Sql(7,
            """
            ALTER TABLE orders_orders ADD COLUMN member_price INTEGER NOT NULL DEFAULT 0;
            CREATE TABLE chat_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE chat_share_codes (share_code TEXT PRIMARY KEY, sharer_id TEXT NOT NULL, created_at INTEGER NOT NULL);
            CREATE TABLE chat_referral_visits (
                channel_id TEXT NOT NULL, share_code TEXT NOT NULL, visitor_id TEXT NOT NULL, show_key TEXT NOT NULL,
                visited_at INTEGER NOT NULL, PRIMARY KEY (channel_id, share_code, visitor_id, show_key));
            CREATE INDEX orders_orders_referrer ON orders_orders (channel_id, referrer);
            """),
    ],
    AdoptLegacyVersionAsync);

    /// <summary>
    /// A database from before <c>relay_schema</c> kept the live room's version in <c>chat_schema_version(id = 1, version)</c>:
    /// that version carries over (its pending steps then run as usual) and the old table goes, in the same transaction.
    /// </summary>
    private static async Task<int?> AdoptLegacyVersionAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct)
    {
        await using (var exists = connection.CreateCommand())
        {
            exists.Transaction = transaction;
            exists.CommandText = $"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{LegacyVersionTable}';";
            if (await exists.ExecuteScalarAsync(ct) is null)
            {
                return null;
            }
        }

        int? version;
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = $"SELECT version FROM {LegacyVersionTable} WHERE id = 1;";
            version = await read.ExecuteScalarAsync(ct) is { } value and not DBNull ? Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) : null;
        }

        await using var drop = connection.CreateCommand();
        drop.Transaction = transaction;
        drop.CommandText = $"DROP TABLE {LegacyVersionTable};";
        await drop.ExecuteNonQueryAsync(ct);
        return version;
    }
}
