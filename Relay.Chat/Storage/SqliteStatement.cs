using Microsoft.Data.Sqlite;

namespace Relay.Chat.Storage;

/// <summary>One SQL statement with positional parameters <c>$1..$n</c>, compiled once and run many times in a transaction
/// with new values (a group commit runs the same few statements hundreds of times).</summary>
internal sealed class SqliteStatement : IAsyncDisposable
{
    private readonly SqliteCommand _command;
    private readonly SqliteParameter[] _parameters;

    public SqliteStatement(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        _command = connection.CreateCommand();
        _command.Transaction = transaction;
        _command.CommandText = sql;
        var count = 0;
        while (sql.Contains($"${count + 1}", StringComparison.Ordinal)) count++;
        _parameters = new SqliteParameter[count];
        for (var i = 0; i < count; i++) _parameters[i] = _command.Parameters.Add(new SqliteParameter($"${i + 1}", null));
    }

    public Task<object?> Run(CancellationToken cancellationToken, params object?[] values) =>
        Bind(values).ExecuteScalarAsync(cancellationToken);

    public Task<int> Execute(CancellationToken cancellationToken, params object?[] values) =>
        Bind(values).ExecuteNonQueryAsync(cancellationToken);

    public Task<SqliteDataReader> Reader(CancellationToken cancellationToken, params object?[] values) =>
        Bind(values).ExecuteReaderAsync(cancellationToken);

    /// <summary>Every row (database nulls as null) and the rows changed.</summary>
    public async Task<SqlResult> AllAsync(CancellationToken cancellationToken, params object?[] values)
    {
        var rows = new List<object?[]>();
        int affected;
        await using (var reader = await Bind(values).ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = new object?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                rows.Add(row);
            }
            affected = reader.RecordsAffected;
        }
        return new SqlResult(rows, affected);
    }

    private SqliteCommand Bind(object?[] values)
    {
        for (var i = 0; i < _parameters.Length; i++) _parameters[i].Value = values[i] ?? DBNull.Value;
        return _command;
    }

    public ValueTask DisposeAsync() => _command.DisposeAsync();
}
