using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;
using Relay.Tests.Common.Chat;
using Microsoft.Data.Sqlite;
using Relay.Common.Storage;
using Relay.Tests.Common;

namespace Relay.Tests.Integration.RelayCommon.Storage;

public sealed class SchemaMigratorTests : IDisposable
{
    private readonly TempDir _dir = new("relay-migrator");
    private readonly SqliteDatabase _database;

    public SchemaMigratorTests() => _database = new SqliteDatabase(Path.Combine(_dir.Path, SqliteDatabase.FileName));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Migration[] NotesV2 =
    [
        Migration.Sql(1, "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);"),
        Migration.Sql(2, "ALTER TABLE notes ADD COLUMN author TEXT NOT NULL DEFAULT 'nobody';"),
    ];

    [Fact]
    public async Task Pending_steps_run_in_order_once_and_each_module_keeps_its_own_row()
    {
        Assert.Equal(new SchemaMigration("notes", 0, 1), await _database.MigrateAsync(new ModuleSchema("notes", NotesV2[..1]), Ct));
        await ExecAsync("INSERT INTO notes (id, text) VALUES (1, 'kept');");
        Assert.Equal(new SchemaMigration("notes", 1, 2), await _database.MigrateAsync(new ModuleSchema("notes", NotesV2), Ct));
        Assert.Equal(new SchemaMigration("notes", 2, 2), await _database.MigrateAsync(new ModuleSchema("notes", NotesV2), Ct));
        Assert.Equal(new SchemaMigration("tags", 0, 1),
            await _database.MigrateAsync(new ModuleSchema("tags", [Migration.Sql(1, "CREATE TABLE tags (name TEXT PRIMARY KEY);")]), Ct));

        Assert.Equal("kept|nobody", await ScalarAsync("SELECT text || '|' || author FROM notes WHERE id = 1;"));
        Assert.Equal("notes=2,tags=1", await ScalarAsync("SELECT group_concat(module || '=' || version, ',') FROM (SELECT * FROM relay_schema ORDER BY module);"));
    }

    [Fact]
    public async Task A_failing_step_leaves_the_schema_and_its_version_as_they_were()
    {
        await _database.MigrateAsync(new ModuleSchema("notes", NotesV2[..1]), Ct);
        var broken = new ModuleSchema("notes", [NotesV2[0], NotesV2[1], Migration.Sql(3, "CREATE TABLE extra (x); SELECT * FROM no_such_table;")]);

        await Assert.ThrowsAsync<SqliteException>(() => _database.MigrateAsync(broken, Ct));

        Assert.Equal(1L, await ScalarAsync("SELECT version FROM relay_schema WHERE module = 'notes';"));
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM pragma_table_info('notes') WHERE name = 'author';"));
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM sqlite_master WHERE name = 'extra';"));
    }

    [Fact]
    public async Task A_database_newer_than_the_build_is_refused_not_downgraded()
    {
        await _database.MigrateAsync(new ModuleSchema("notes", NotesV2), Ct);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _database.MigrateAsync(new ModuleSchema("notes", NotesV2[..1]), Ct));
        Assert.Contains("'notes' is at version 2, newer than this build's 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(2L, await ScalarAsync("SELECT version FROM relay_schema WHERE module = 'notes';"));
    }

    [Fact]
    public async Task A_legacy_version_is_adopted_once_and_only_the_steps_after_it_run()
    {
        await ExecAsync("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL); CREATE TABLE old_version (v INTEGER); INSERT INTO old_version VALUES (1);");
        var adopted = 0;
        var schema = new ModuleSchema("notes", NotesV2, async (connection, transaction, ct) =>
        {
            adopted++;
            await using var read = connection.CreateCommand();
            read.Transaction = transaction;
            read.CommandText = "SELECT v FROM old_version; DROP TABLE old_version;";
            return Convert.ToInt32(await read.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        });

        Assert.Equal(new SchemaMigration("notes", 1, 2), await _database.MigrateAsync(schema, Ct));
        Assert.Equal(new SchemaMigration("notes", 2, 2), await _database.MigrateAsync(schema, Ct));
        Assert.Equal(1, adopted);
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM sqlite_master WHERE name = 'old_version';"));
    }

    [Fact]
    public async Task A_legacy_version_that_is_already_the_latest_is_recorded_so_nothing_runs_again()
    {
        await ExecAsync("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL, author TEXT NOT NULL DEFAULT 'nobody'); CREATE TABLE old_version (v INTEGER); INSERT INTO old_version VALUES (2);");
        var schema = new ModuleSchema("notes", NotesV2, async (connection, transaction, ct) =>
        {
            await using var read = connection.CreateCommand();
            read.Transaction = transaction;
            read.CommandText = "SELECT v FROM old_version; DROP TABLE old_version;";
            return Convert.ToInt32(await read.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        });

        Assert.Equal(new SchemaMigration("notes", 2, 2), await _database.MigrateAsync(schema, Ct));
        // The legacy record is gone: without a row of its own the module would run step 1 again and fail.
        Assert.Equal(new SchemaMigration("notes", 2, 2), await _database.MigrateAsync(schema, Ct));
        Assert.Equal(2L, await ScalarAsync("SELECT version FROM relay_schema WHERE module = 'notes';"));
    }

    [Fact]
    public void Versions_must_be_one_two_three_in_order()
    {
        Assert.Throws<ArgumentException>(() => new ModuleSchema("notes", [NotesV2[1]]));
        Assert.Throws<ArgumentException>(() => new ModuleSchema("notes", [NotesV2[0], NotesV2[0]]));
    }

    [Fact]
    public async Task Every_connection_has_the_shared_pragmas_and_the_file_is_in_WAL()
    {
        await using var connection = await _database.OpenAsync(Ct);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT (SELECT journal_mode FROM pragma_journal_mode) || ',' || (SELECT synchronous FROM pragma_synchronous) || ',' || (SELECT foreign_keys FROM pragma_foreign_keys) || ',' || (SELECT timeout FROM pragma_busy_timeout);";
        // synchronous 1 = NORMAL.
        Assert.Equal("wal,1,1,5000", await query.ExecuteScalarAsync(Ct));
    }

    private async Task ExecAsync(string sql)
    {
        await using var connection = await _database.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = await _database.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(Ct);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
