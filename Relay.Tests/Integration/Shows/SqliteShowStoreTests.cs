using Relay.Common.Storage;
using Relay.Server.Shows;
using Relay.Tests.Common;

namespace Relay.Tests.Integration.Shows;

/// <summary>The show store on SQLite (relay.db), two stores on one file as two processes would be.</summary>
public sealed class SqliteShowStoreTests
{
    [Fact]
    public async Task The_sqlite_show_store_keeps_shows_time_lines_and_audiences()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, SqliteDatabase.FileName);
        await ShowStoreScenario.RunAsync(new SqliteShowStore(new SqliteDatabase(path)), new SqliteShowStore(new SqliteDatabase(path)), TestContext.Current.CancellationToken);
    }
}
