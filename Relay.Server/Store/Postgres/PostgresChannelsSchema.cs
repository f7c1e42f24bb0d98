using Relay.Common.Storage;

namespace Relay.Server.Store.Postgres;

/// <summary>
/// The channel catalog's tables in the cluster's PostgreSQL (module <c>channels</c> of <c>relay_schema</c>, as on
/// SQLite): the same tables and columns as <see cref="ChannelsSchema"/>, with PostgreSQL's own types for flags
/// (BOOLEAN) and times (TIMESTAMPTZ), so <see cref="RelationalChannelStore"/>'s statements run on both. Append only.
/// </summary>
public static class PostgresChannelsSchema
{
    public static ModuleSchema Definition { get; } = new(ChannelsSchema.Module,
    [
        Migration.Sql(1, """
            CREATE TABLE channels (
                id TEXT PRIMARY KEY,
                title TEXT NOT NULL,
                stream_key_enc TEXT NOT NULL,
                host_key_enc TEXT NOT NULL,
                stream_key_from_config BOOLEAN NOT NULL DEFAULT FALSE,
                host_key_from_config BOOLEAN NOT NULL DEFAULT FALSE,
                created_at TIMESTAMPTZ NOT NULL);
            CREATE TABLE channel_destinations (
                channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                id TEXT NOT NULL,
                position INTEGER NOT NULL,
                name TEXT NOT NULL,
                platform TEXT NOT NULL,
                url TEXT NOT NULL,
                stream_key_enc TEXT,
                enabled BOOLEAN NOT NULL,
                profile_json TEXT,
                engine TEXT NOT NULL,
                address_by_admin BOOLEAN NOT NULL DEFAULT FALSE,
                PRIMARY KEY (channel_id, id));
            CREATE TABLE channel_lineup (
                channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                sku TEXT NOT NULL,
                title TEXT NOT NULL,
                price_cents BIGINT NOT NULL,
                currency TEXT NOT NULL,
                image_url TEXT,
                stock INTEGER,
                PRIMARY KEY (channel_id, sku));
            """),
        // Contract v2: the rehearsal switch and the next show's time.
        Migration.Sql(2, """
            ALTER TABLE channels ADD COLUMN rehearsal BOOLEAN NOT NULL DEFAULT FALSE;
            ALTER TABLE channels ADD COLUMN next_show_at TIMESTAMPTZ;
            """),
        // Contract v2: a product's member price (PUT lineup memberPriceCents).
        Migration.Sql(3, "ALTER TABLE channel_lineup ADD COLUMN member_price_cents BIGINT;"),
        // Contract v2: the backup stream key (issue 17), encrypted like the stream key; NULL until the catalog loads it.
        Migration.Sql(4, "ALTER TABLE channels ADD COLUMN backup_stream_key_enc TEXT;"),
        // Contract v2: Enhanced RTMP multitrack, the video track a destination receives (null = track 0).
        Migration.Sql(5, "ALTER TABLE channel_destinations ADD COLUMN track_id INTEGER;"),
    ]);
}
