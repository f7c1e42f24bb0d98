using Relay.Server.Security;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;
using Relay.Tests.Common.Chat;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Relay.Tests.Common;

namespace Relay.Tests.Integration.Server;

/// <summary>
/// A relay.db written by Relay before the shared migration runner (channels versioned in <c>relay_schema</c>, the live
/// room in its own <c>chat_schema_version</c>) is upgraded in place at start: its channel, destination, keys and orders
/// are all there afterwards, and one version table is left.
/// </summary>
public sealed class StoreUpgradeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_database_from_before_relay_schema_held_every_module_upgrades_in_place_keeping_channels_and_orders()
    {
        using var root = new TempDir("relay-upgrade");
        var dataDir = Path.Combine(root.Path, "data");
        Directory.CreateDirectory(dataDir);
        // The key ring the old Relay kept beside its database, so the stored keys decrypt after the upgrade.
        var protector = DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(dataDir, "keys")), b => b.SetApplicationName("Relay"))
            .CreateProtector("Relay.Store.Secrets.v1");
        const string streamKey = "sk_legacy_0123456789abcdefghij";
        await using (var old = new SqliteConnection($"Data Source={Path.Combine(dataDir, "relay.db")};Pooling=false"))
        {
            await old.OpenAsync(Ct);
            await using var create = old.CreateCommand();
            create.CommandText = "PRAGMA journal_mode=WAL;" + OldChannelsLayout + OldChatLayout + """
                INSERT INTO channels (id, title, stream_key_enc, host_key_enc, stream_key_from_config, host_key_from_config, created_at)
                    VALUES ('legacy', 'Legacy show', $sk, $hk, 0, 0, '2026-11-01T10:00:00.0000000+00:00');
                INSERT INTO channel_destinations (channel_id, id, position, name, platform, url, stream_key_enc, enabled, profile_json, engine, address_by_admin)
                    VALUES ('legacy', 'yt', 0, 'YouTube main', 'youtube', 'rtmp://a.rtmp.youtube.com/live2', $dk, 0, NULL, 'auto', 1);
                INSERT INTO channel_lineup (channel_id, position, sku, title, price_cents, currency, image_url, stock)
                    VALUES ('legacy', 0, 'MUG-1', 'Mug', 1200, 'EUR', NULL, 10);
                INSERT INTO chat_lineup_stock (channel_id, sku, stock, held, epoch) VALUES ('legacy', 'MUG-1', 10, 2, 0);
                INSERT INTO orders_orders (order_id, channel_id, sku, quantity, unit_price_cents, currency, buyer_id, buyer_name,
                    lineup_reserved, status, attempts, next_attempt_at, created_at, updated_at, ledger_epoch)
                    VALUES ('ord_legacy_1', 'legacy', 'MUG-1', 2, 1200, 'EUR', 'user_1', 'Ada', 1, 'confirmed', 1, 0, 1764583200000, 1764583200000, 0);
                """;
            create.Parameters.AddWithValue("$sk", protector.Protect(streamKey));
            create.Parameters.AddWithValue("$hk", protector.Protect("hk_legacy_0123456789abcdefghij"));
            create.Parameters.AddWithValue("$dk", protector.Protect("yt-key-1234"));
            await create.ExecuteNonQueryAsync(Ct);
        }

        await using (var server = await RelayTestServer.StartAsync($"--Relay:DataDir={dataDir}", "--Relay:Demo:CreateOnFirstStart=false"))
        {
            await AssertEverythingReadsBackAsync(server, streamKey);
            // A second start finds nothing to do and still reads the same.
            await server.RestartAsync();
            await AssertEverythingReadsBackAsync(server, streamKey);
        }

        await using var check = new SqliteConnection($"Data Source={Path.Combine(dataDir, "relay.db")};Pooling=false");
        await check.OpenAsync(Ct);
        await using var query = check.CreateCommand();
        query.CommandText = """
            SELECT group_concat(module || '=' || version, ',') FROM (SELECT * FROM relay_schema ORDER BY module);
            SELECT count(*) FROM sqlite_master WHERE name = 'chat_schema_version';
            """;
        await using var reader = await query.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal($"channels={Relay.Server.Store.ChannelsSchema.Definition.LatestVersion},chat={Relay.Chat.Storage.ChatSchema.Definition.LatestVersion},shows=1", reader.GetString(0));
        Assert.True(await reader.NextResultAsync(Ct) && await reader.ReadAsync(Ct));
        Assert.Equal(0, reader.GetInt32(0));
    }

    private static async Task AssertEverythingReadsBackAsync(RelayTestServer server, string streamKey)
    {
        using var admin = server.AdminClient();
        using var channel = await admin.GetAsync("/api/v1/channels/legacy", Ct);
        Assert.Equal(HttpStatusCode.OK, channel.StatusCode);
        var body = JsonDocument.Parse(await channel.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("Legacy show", body.GetProperty("title").GetString());
        // Channels stored before migration 3 are not rehearsing and announce no next show.
        Assert.False(body.GetProperty("rehearsal").GetBoolean());
        Assert.True(!body.TryGetProperty("nextShowAt", out var next) || next.ValueKind == JsonValueKind.Null);
        var destination = Assert.Single(body.GetProperty("destinations").EnumerateArray());
        Assert.Equal("yt", destination.GetProperty("id").GetString());
        Assert.Equal("YouTube main", destination.GetProperty("name").GetString());

        var key = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/legacy/stream-key", Ct)).RootElement;
        Assert.Equal(streamKey, key.GetProperty("streamKey").GetString());

        var orders = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/legacy/orders", Ct)).RootElement;
        var order = Assert.Single(orders.EnumerateArray());
        Assert.Equal("ord_legacy_1", order.GetProperty("orderId").GetString());
        Assert.Equal("confirmed", order.GetProperty("status").GetString());
        Assert.Equal("MUG-1", order.GetProperty("sku").GetString());
        Assert.Equal(2, order.GetProperty("quantity").GetInt32());
    }

    /// <summary>The channel tables as Relay.Server's MigrateAsync left them before the numbered migrations (c971b8b).</summary>
    private const string OldChannelsLayout = """
        CREATE TABLE IF NOT EXISTS relay_schema (module TEXT PRIMARY KEY, version INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS channels (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            stream_key_enc TEXT NOT NULL,
            host_key_enc TEXT NOT NULL,
            stream_key_from_config INTEGER NOT NULL DEFAULT 0,
            host_key_from_config INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS channel_destinations (
            channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
            id TEXT NOT NULL,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            platform TEXT NOT NULL,
            url TEXT NOT NULL,
            stream_key_enc TEXT,
            enabled INTEGER NOT NULL,
            profile_json TEXT,
            engine TEXT NOT NULL,
            PRIMARY KEY (channel_id, id));
        CREATE TABLE IF NOT EXISTS channel_lineup (
            channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            sku TEXT NOT NULL,
            title TEXT NOT NULL,
            price_cents INTEGER NOT NULL,
            currency TEXT NOT NULL,
            image_url TEXT,
            stock INTEGER,
            PRIMARY KEY (channel_id, sku));
        INSERT INTO relay_schema(module, version) VALUES ('channels', 1)
            ON CONFLICT(module) DO UPDATE SET version = excluded.version WHERE version < excluded.version;
        ALTER TABLE channel_destinations ADD COLUMN address_by_admin INTEGER NOT NULL DEFAULT 0;

        """;

    /// <summary>The live room's tables as Relay.Chat's two migrations left them, versioned in chat_schema_version (c971b8b).</summary>
    private const string OldChatLayout = """
        CREATE TABLE IF NOT EXISTS chat_schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
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
        CREATE TABLE chat_lineup_stock (
            channel_id TEXT NOT NULL, sku TEXT NOT NULL,
            stock INTEGER NULL CHECK (stock IS NULL OR stock >= 0),
            held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),
            epoch INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (channel_id, sku));
        ALTER TABLE orders_orders ADD COLUMN ledger_epoch INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX orders_orders_buyer ON orders_orders (channel_id, buyer_id, sku, status, ledger_epoch, flash_sale_id, quantity);
        INSERT INTO chat_schema_version (id, version) VALUES (1, 2) ON CONFLICT(id) DO UPDATE SET version = excluded.version;

        """;
}
