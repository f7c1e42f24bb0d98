using Microsoft.Data.Sqlite;

namespace Relay.Chat.Storage;

/// <summary>The commerce session on the embedded file: statements run one after the other, each text compiled once per
/// session and run again with new values (a group commit runs the same few statements hundreds of times).</summary>
internal sealed class SqliteSession(SqliteConnection connection, SqliteTransaction? transaction) : ICommerceSession, IAsyncDisposable
{
    private readonly Dictionary<string, SqliteStatement> _statements = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<SqlResult>> RunAsync(IReadOnlyList<SqlCall> calls, CancellationToken cancellationToken)
    {
        var results = new SqlResult[calls.Count];
        for (var i = 0; i < calls.Count; i++)
        {
            if (!_statements.TryGetValue(calls[i].Sql, out var statement))
                _statements[calls[i].Sql] = statement = new SqliteStatement(connection, transaction, calls[i].Sql);
            results[i] = await statement.AllAsync(cancellationToken, calls[i].Args);
        }
        return results;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var statement in _statements.Values) await statement.DisposeAsync();
    }
}
