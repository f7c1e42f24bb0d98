using System.Net.Sockets;
using Npgsql;

namespace Relay.Server.Store.Postgres;

/// <summary>Why PostgreSQL could not be used, in a few words for one line (no connection string, no password).</summary>
public static class PostgresFailure
{
    /// <summary>The short reason, or null when <paramref name="e"/> is not a connection or server failure.</summary>
    public static string? Reason(Exception e) => e switch
    {
        PostgresException p => $"{p.SqlState}: {p.MessageText}",
        SocketException s => s.Message,
        TimeoutException => "timed out",
        NpgsqlException { InnerException: { } inner } when Reason(inner) is { } innerReason => innerReason,
        NpgsqlException n => n.Message.TrimEnd('.'),
        _ => null,
    };
}
