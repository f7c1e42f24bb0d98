using Relay.Common.Storage;
using Relay.Server.Diagnostics;
using StackExchange.Redis;

namespace Relay.Server.Cluster.Nodes;

/// <summary>
/// Asks PostgreSQL (<c>SELECT 1</c> on a pooled connection) and Redis (<c>PING</c>) whether they answer, within
/// <see cref="Timeout"/>, for <c>/readyz</c> and the heartbeat alike. It keeps each engine's last state in
/// <c>relay_dependency_up</c> and logs a change once (down: a warning with a short reason; back: information), never
/// the exception's text, which may quote the server's address or settings.
/// </summary>
public sealed class DependencyProbe(PostgresDatabase postgres, IConnectionMultiplexer redis, ILogger<DependencyProbe> logger)
{
    /// <summary>Short, so a probe of a dead engine answers well within a load balancer's readiness timeout.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, bool> _last = [];
    private readonly Lock _lock = new();

    public static readonly string PostgresName = "PostgreSQL";
    public static readonly string RedisName = "Redis";

    /// <summary>null when PostgreSQL answered, else a short reason.</summary>
    public async Task<string?> PostgresAsync(CancellationToken ct)
    {
        string? problem;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            await using var connection = await postgres.OpenAsync(timeout.Token);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(timeout.Token);
            problem = null;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            problem = $"no answer within {Timeout.TotalSeconds:0} s";
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or System.Net.Sockets.SocketException or IOException or InvalidOperationException or TimeoutException)
        {
            problem = Reason(e);
        }

        Record(ClusterMetrics.Postgres, PostgresName, problem);
        return problem;
    }

    /// <summary>null when Redis answered, else a short reason.</summary>
    public async Task<string?> RedisAsync(CancellationToken ct)
    {
        string? problem;
        if (!redis.IsConnected)
        {
            // Commands would wait in the multiplexer's backlog for the whole async timeout: no connection is the answer.
            problem = "not connected";
        }
        else
        {
            try
            {
                await redis.GetDatabase().PingAsync().WaitAsync(Timeout, ct);
                problem = null;
            }
            catch (TimeoutException)
            {
                problem = $"no answer within {Timeout.TotalSeconds:0} s";
            }
            catch (RedisException e)
            {
                problem = Reason(e);
            }
        }

        Record(ClusterMetrics.Redis, RedisName, problem);
        return problem;
    }

    private void Record(string dependency, string name, string? problem)
    {
        var up = problem is null;
        ClusterMetrics.DependencyUp.WithLabels(dependency).Set(up ? 1 : 0);
        bool changed;
        lock (_lock)
        {
            changed = !_last.TryGetValue(dependency, out var was) ? !up : was != up;
            _last[dependency] = up;
        }

        if (!changed)
        {
            return;
        }

        if (up)
        {
            ClusterNodesLog.DependencyBack(logger, name);
        }
        else
        {
            ClusterNodesLog.DependencyDown(logger, name, problem!);
        }
    }

    /// <summary>The exception's kind, not its message (which can carry a host, a user or a setting).</summary>
    private static string Reason(Exception e) => e switch
    {
        Npgsql.PostgresException pg => $"server error {pg.SqlState}",
        RedisConnectionException rc => $"connection failed ({rc.FailureType})",
        _ when e.InnerException is System.Net.Sockets.SocketException se => $"connection failed ({se.SocketErrorCode})",
        System.Net.Sockets.SocketException se => $"connection failed ({se.SocketErrorCode})",
        _ => e.GetType().Name,
    };
}
