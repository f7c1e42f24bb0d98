using Relay.Common.Storage;

namespace Relay.Server.Shows;

/// <summary>
/// The shows' tables (module <c>shows</c> of <c>relay_schema</c>), the same statements on SQLite and PostgreSQL: times
/// are Unix milliseconds in BIGINT columns, so neither engine's date type is needed. Append only.
/// </summary>
public static class ShowsSchema
{
    public const string Module = "shows";

    public static ModuleSchema Definition { get; } = new(Module,
    [
        Migration.Sql(1, """
            CREATE TABLE shows (
                id TEXT PRIMARY KEY,
                channel_id TEXT NOT NULL,
                started_at BIGINT NOT NULL,
                ended_at BIGINT,
                last_sample_at BIGINT);
            CREATE INDEX shows_by_channel ON shows(channel_id, started_at);
            CREATE TABLE show_samples (
                show_id TEXT NOT NULL REFERENCES shows(id) ON DELETE CASCADE,
                at BIGINT NOT NULL,
                viewers INTEGER NOT NULL,
                peak_viewers INTEGER NOT NULL,
                messages INTEGER NOT NULL,
                likes INTEGER NOT NULL,
                PRIMARY KEY (show_id, at));
            CREATE TABLE show_markers (
                show_id TEXT NOT NULL REFERENCES shows(id) ON DELETE CASCADE,
                at BIGINT NOT NULL,
                position INTEGER NOT NULL,
                kind TEXT NOT NULL,
                sku TEXT,
                title TEXT,
                price_cents BIGINT,
                quantity INTEGER,
                PRIMARY KEY (show_id, at, position));
            CREATE TABLE show_destinations (
                show_id TEXT NOT NULL REFERENCES shows(id) ON DELETE CASCADE,
                destination_id TEXT NOT NULL,
                live_ms BIGINT NOT NULL,
                reconnects INTEGER NOT NULL,
                PRIMARY KEY (show_id, destination_id));
            CREATE TABLE show_audience (
                channel_id TEXT NOT NULL,
                viewer_id TEXT NOT NULL,
                at BIGINT NOT NULL,
                PRIMARY KEY (channel_id, at, viewer_id));
            """),
    ]);
}
