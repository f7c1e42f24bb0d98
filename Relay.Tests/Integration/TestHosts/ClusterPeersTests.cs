using Npgsql;
using Relay.Tests.Common.Peers;

namespace Relay.Tests.Integration.TestHosts;

/// <summary>The real PostgreSQL and Redis the cluster tests stand on: they start, keep what they must, and stop.</summary>
public sealed class ClusterPeersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Postgres_keeps_committed_rows_across_a_kill_and_leaves_nothing_behind()
    {
        string directory;
        await using (var postgres = await PostgresServer.StartAsync())
        {
            directory = postgres.Directory;
            var db = await postgres.CreateDatabaseAsync("peer");
            await using (var connection = new NpgsqlConnection(db))
            {
                await connection.OpenAsync(Ct);
                await new NpgsqlCommand("CREATE TABLE t (v int); INSERT INTO t VALUES (42);", connection).ExecuteNonQueryAsync(Ct);
            }

            await postgres.KillAsync();
            Assert.False(postgres.Running);
            await Assert.ThrowsAnyAsync<NpgsqlException>(async () =>
            {
                await using var down = new NpgsqlConnection(postgres.ConnectionString("peer"));
                await down.OpenAsync(Ct);
            });

            await postgres.RestartAsync();
            await using var again = new NpgsqlConnection(postgres.ConnectionString("peer"));
            await again.OpenAsync(Ct);
            Assert.Equal(42, (int)(await new NpgsqlCommand("SELECT v FROM t", again).ExecuteScalarAsync(Ct))!);
        }

        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task Redis_answers_and_restarts_empty()
    {
        await using var redis = await RedisServer.StartAsync();
        Assert.Contains("+OK", await redis.CommandAsync("SET relay:test 1"));
        await redis.KillAsync();
        Assert.False(redis.Running);
        await redis.RestartAsync();
        Assert.Equal(":0", (await redis.CommandAsync("DBSIZE")).Trim());
    }
}
