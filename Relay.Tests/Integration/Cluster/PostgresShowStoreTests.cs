using Relay.Common.Storage;
using Relay.Server.Shows.Postgres;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Peers;
using Relay.Tests.Integration.Shows;

namespace Relay.Tests.Integration.Cluster;

/// <summary>
/// The show store on a real PostgreSQL, two "nodes" (two stores, each with its own pool) on one database: both migrate at
/// once, then the store scenario every engine runs (ShowStoreScenario). The schema's statements are the SQLite ones.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PostgresShowStoreTests
{
    [Fact]
    public async Task The_postgres_show_store_keeps_shows_time_lines_and_audiences_for_every_node()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var postgres = await PostgresServer.StartAsync();
        var connectionString = await postgres.CreateDatabaseAsync("shows");
        await using var a = new PostgresDatabase(connectionString);
        await using var b = new PostgresDatabase(connectionString);
        await ShowStoreScenario.RunAsync(new PostgresShowStore(a), new PostgresShowStore(b), ct);
    }
}
