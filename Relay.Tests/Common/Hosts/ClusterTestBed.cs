using Relay.Tests.Common.Peers;

namespace Relay.Tests.Common.Hosts;

/// <summary>
/// A cluster as an operator runs one: a real PostgreSQL and a real Redis on loopback, and Relay nodes as child
/// processes (<see cref="ChildRelay"/>) configured only through <c>Relay:Postgres</c>, <c>Relay:Redis</c> and
/// <c>Relay:Node</c>. Each bed gets its own database, so beds never see each other's rows. Disposal stops the nodes
/// (checking their logs), then Redis and PostgreSQL, and removes every folder.
/// </summary>
internal sealed class ClusterTestBed : IAsyncDisposable
{
    /// <summary>Short, so a dead owner's lease ends quickly in tests (the default is 10 s).</summary>
    public const int LeaseSeconds = 3;

    private readonly List<ClusterTestNode> _nodes = [];

    private ClusterTestBed(PostgresServer postgres, RedisServer redis, string connectionString)
    {
        Postgres = postgres;
        Redis = redis;
        ConnectionString = connectionString;
    }

    public PostgresServer Postgres { get; }

    public RedisServer Redis { get; }

    /// <summary>The bed's database, as every node is given it.</summary>
    public string ConnectionString { get; }

    public IReadOnlyList<ClusterTestNode> Nodes => _nodes;

    /// <summary>PostgreSQL, Redis, then <paramref name="nodes"/> nodes started one after the other (a-, b-, c-...).</summary>
    public static async Task<ClusterTestBed> StartAsync(int nodes = 2, params string[] extra)
    {
        PostgresServer? postgres = null;
        RedisServer? redis = null;
        try
        {
            postgres = await PostgresServer.StartAsync();
            redis = await RedisServer.StartAsync();
            var connectionString = await postgres.CreateDatabaseAsync("relay");
            var bed = new ClusterTestBed(postgres, redis, connectionString);
            try
            {
                for (var i = 0; i < nodes; i++)
                {
                    await bed.AddNodeAsync(extra);
                }

                return bed;
            }
            catch
            {
                // The bed stops Redis and PostgreSQL itself: the catch below must not stop them again (that would
                // throw from a disposed process and hide why the node did not start).
                (redis, postgres) = (null, null);
                await bed.DisposeAsync();
                throw;
            }
        }
        catch
        {
            if (redis is not null) await redis.DisposeAsync();
            if (postgres is not null) await postgres.DisposeAsync();
            throw;
        }
    }

    /// <summary>One more node (its own ports and data folder; the name continues node-a, node-b ...).</summary>
    public async Task<ClusterTestNode> AddNodeAsync(params string[] extra)
    {
        var node = await ClusterTestNode.StartAsync(this, $"node-{(char)('a' + _nodes.Count)}", extra);
        _nodes.Add(node);
        return node;
    }

    /// <summary>The settings that make a process a node of this bed.</summary>
    public IEnumerable<string> NodeArguments(string id, int httpPort) =>
    [
        $"--Relay:Postgres:ConnectionString={ConnectionString}",
        $"--Relay:Redis:Configuration={Redis.Configuration}",
        $"--Relay:Node:Id={id}",
        $"--Relay:Node:InternalUrl=http://127.0.0.1:{httpPort}",
        $"--Relay:Node:LeaseSeconds={LeaseSeconds}",
    ];

    public async ValueTask DisposeAsync()
    {
        List<Exception> failures = [];
        foreach (var node in _nodes)
        {
            try
            {
                await node.DisposeAsync();
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }

        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
        if (failures.Count > 0)
        {
            throw new AggregateException("a node's log had unexpected errors", failures);
        }
    }
}
