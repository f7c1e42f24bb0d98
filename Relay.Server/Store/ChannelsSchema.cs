using System.Data.Common;
using Relay.Common.Storage;

namespace Relay.Server.Store;

/// <summary>The channel catalog's tables in relay.db (module <c>channels</c> of <c>relay_schema</c>). Append only.</summary>
public static class ChannelsSchema
{
    public const string Module = "channels";

    public static ModuleSchema Definition { get; } = new(Module,
    [
        // IF NOT EXISTS: databases from before the numbered migrations already have these tables at version 1.
        Migration.Sql(1, """
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
            """),
        // The destination address policy. Rows from before get the default: a destination stored before the policy
        // existed counts as host-set, so it is held to the policy until the admin saves it again. Databases at version 1
        // may have the column already (it was added beside version 1 before the migrations were numbered).
        Migration.Code(2, (connection, transaction, ct) =>
            AddColumnIfMissingAsync(connection, transaction, "channel_destinations", "address_by_admin", "INTEGER NOT NULL DEFAULT 0", ct)),
        // Contract v2: the rehearsal switch and the next show's time (ISO 8601 text, as created_at).
        Migration.Sql(3, """
            ALTER TABLE channels ADD COLUMN rehearsal INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE channels ADD COLUMN next_show_at TEXT;
            """),
        // Contract v2: a product's member price (PUT lineup memberPriceCents).
        Migration.Sql(4, "ALTER TABLE channel_lineup ADD COLUMN member_price_cents INTEGER;"),
        // Contract v2: the backup stream key (issue 17), encrypted like the stream key; NULL until the catalog loads it.
        Migration.Sql(5, "ALTER TABLE channels ADD COLUMN backup_stream_key_enc TEXT;"),
        // Contract v2: Enhanced RTMP multitrack, the video track a destination receives (null = track 0).
        Migration.Sql(6, "ALTER TABLE channel_destinations ADD COLUMN track_id INTEGER;"),
    ]);

    private static async Task AddColumnIfMissingAsync(DbConnection connection, DbTransaction transaction, string table, string column, string definition, CancellationToken ct)
    {
        await using (var info = connection.CreateCommand())
        {
            info.Transaction = transaction;
            info.CommandText = $"SELECT 1 FROM pragma_table_info('{table}') WHERE name = '{column}'";
            if (await info.ExecuteScalarAsync(ct) is not null)
            {
                return;
            }
        }

        await using var alter = connection.CreateCommand();
        alter.Transaction = transaction;
        alter.CommandText = $"ALTER TABLE {table} ADD COLUMN {column} {definition}";
        await alter.ExecuteNonQueryAsync(ct);
    }
}
